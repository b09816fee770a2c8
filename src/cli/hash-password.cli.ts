/**
 * `npm run hash-password`: reads a password (typed at a terminal without echo, or one line
 * from a pipe) and prints the scrypt hash to put in a users file as `passwordHash`.
 */
import { createInterface } from 'node:readline';
import { hashPassword } from '../auth/password.ts';
import { passwordProblem, passwordProblemText } from '../auth/password-policy.ts';

/** Reads keys in raw mode until Enter, so the password never shows on screen. */
function readHidden(): Promise<string> {
  process.stderr.write('Password (not shown): ');
  process.stdin.setRawMode(true);
  process.stdin.resume();
  let text = '';
  return new Promise((resolve) => {
    const onData = (chunk: Buffer) => {
      for (const ch of chunk.toString('utf8')) {
        if (ch === '\u0003') process.exit(130); // Ctrl-C
        if (ch === '\r' || ch === '\n') {
          process.stdin.setRawMode(false);
          process.stdin.off('data', onData);
          process.stdin.pause();
          process.stderr.write('\n');
          return resolve(text);
        }
        text = ch === '\u007f' || ch === '\b' ? text.slice(0, -1) : text + ch;
      }
    };
    process.stdin.on('data', onData);
  });
}

async function readLine(): Promise<string> {
  for await (const line of createInterface({ input: process.stdin })) return line;
  return '';
}

const password = process.stdin.isTTY ? await readHidden() : await readLine();
// The policy without the login id (not known here): the hub cannot check a hash later.
const problem = passwordProblem(password);
if (problem) {
  process.stderr.write(`hash-password: ${passwordProblemText(problem)}\n`);
  process.exit(2);
}
process.stdout.write(`${await hashPassword(password)}\n`);
