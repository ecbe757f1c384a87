/**
 * `--slurm-args "…"`: extra `sbatch` options, split as a shell would split them (quotes and
 * backslashes), with no shell in between. Refused, in one line naming the word:
 * - text that is not an option (a word after which sbatch would take the rest as the script);
 * - unbalanced quotes, a trailing backslash;
 * - the options the executor sets itself (the array, its output files, the script), and those
 *   that have their own tsdyn option (--partition, --time, --mem, --account, --cpus-per-task),
 *   so each is given one way;
 * - options that make sbatch do something else than submit (--test-only, --wait, --help).
 * What sbatch itself would refuse (an unknown option, a malformed value) is found by
 * `sbatch --test-only` before anything is submitted (src/cluster/slurm.ts).
 */

export class SlurmArgsError extends Error {}

/** Split `text` into words like a POSIX shell (no expansion): '…', "…" (with \" \\ \$ \`), \x. */
export function splitShellWords(text: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "'") {
      const end = text.indexOf("'", i + 1);
      if (end < 0) throw new SlurmArgsError(`an unclosed ' at character ${i + 1}`);
      word += text.slice(i + 1, end);
      inWord = true;
      i = end;
    } else if (c === '"') {
      inWord = true;
      let j = i + 1;
      for (; j < text.length && text[j] !== '"'; j++) {
        if (text[j] === '\\' && j + 1 < text.length && '"\\$`'.includes(text[j + 1])) j++;
        word += text[j];
      }
      if (j >= text.length) throw new SlurmArgsError(`an unclosed " at character ${i + 1}`);
      i = j;
    } else if (c === '\\') {
      if (i + 1 >= text.length) throw new SlurmArgsError('a backslash at the end');
      word += text[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (inWord) words.push(word);
  return words;
}

/**
 * Options a user may not pass through: long name → why. Short forms are mapped to their long
 * names below. The executor sets the array, the output files, the working folder and the
 * script; five options have a tsdyn option of their own.
 */
const RESERVED = {
  array: 'the executor sets the job array (its size from the plan, its %P from --max-tasks)',
  output: 'the executor writes each task\'s log beside its shard',
  error: 'the executor writes each task\'s log beside its shard',
  input: 'a task reads no input',
  chdir: 'each task runs in its shard folder',
  wrap: 'the executor submits its own task script',
  parsable: 'the executor reads sbatch\'s reply itself',
  'test-only': 'the executor tests the options itself before it submits',
  wait: 'the executor follows the array itself',
  help: 'not a submission',
  usage: 'not a submission',
  version: 'not a submission',
  partition: 'use tsdyn\'s --partition',
  time: 'use tsdyn\'s --time',
  mem: 'use tsdyn\'s --mem',
  account: 'use tsdyn\'s --account',
  'cpus-per-task': 'use tsdyn\'s --cpus-per-task (the shard plan depends on it)',
} as const;

const SHORT: Record<string, keyof typeof RESERVED> = { a: 'array', o: 'output', e: 'error', i: 'input', D: 'chdir', W: 'wait', h: 'help', V: 'version', p: 'partition', t: 'time', A: 'account', c: 'cpus-per-task' };

/** sbatch options that take no value: a word after them is not theirs. */
const FLAGS = new Set(['exclusive', 'hold', 'requeue', 'no-requeue', 'overcommit', 'oversubscribe', 'quiet', 'verbose', 'contiguous', 'no-kill', 'spread-job', 'use-min-nodes', 'ignore-pbs', 'reboot', 'get-user-env', 'kill-on-invalid-dep']);
const SHORT_FLAGS = new Set(['H', 'O', 'Q', 'v', 's', 'k']);

/** The words of --slurm-args, checked; throws SlurmArgsError naming the first bad word. */
export function parseSlurmArgs(text: string): string[] {
  let words: string[];
  try {
    words = splitShellWords(text);
  } catch (e) {
    throw new SlurmArgsError(`--slurm-args: ${(e as Error).message}`);
  }
  let valueAllowed = false;
  for (const w of words) {
    if (!w.startsWith('-') || w === '-' || w === '--') {
      if (valueAllowed) {
        valueAllowed = false;
        continue;
      }
      throw new SlurmArgsError(`--slurm-args: ${JSON.stringify(w)} is not an sbatch option (sbatch would take it for the script)`);
    }
    let name: string;
    let hasValue: boolean;
    if (w.startsWith('--')) {
      const eq = w.indexOf('=');
      name = eq < 0 ? w.slice(2) : w.slice(2, eq);
      hasValue = eq >= 0;
      valueAllowed = !hasValue && !FLAGS.has(name);
    } else {
      const letter = w[1];
      name = SHORT[letter] ?? letter;
      hasValue = w.length > 2;
      valueAllowed = !hasValue && !SHORT_FLAGS.has(letter);
    }
    if (Object.hasOwn(RESERVED, name)) throw new SlurmArgsError(`--slurm-args: ${w}: ${RESERVED[name as keyof typeof RESERVED]}`);
  }
  return words;
}
