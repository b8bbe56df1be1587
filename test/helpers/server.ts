/** Waiting for a server child process (`medrl serve`, `medrl-serve`) to print where it listens. */
import type { ChildProcess } from 'node:child_process';

export interface Listening {
  /** The URL from the "listening on <url>" line. */
  url: string;
  /** Everything the child wrote to stderr so far. */
  stderr: () => string;
  /** The child's exit code, once it exits. */
  exited: Promise<number | null>;
}

/** Resolves at the first stderr line matching `ready` (its group 1 is the URL); rejects if the child exits first. */
export async function untilListening(
  child: ChildProcess,
  name: string,
  ready = /listening on (\S+)/,
): Promise<Listening> {
  let stderr = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const match = ready.exec(stderr);
      if (match) resolve(match[1]!);
    });
    void exited.then((code) => reject(new Error(`${name} exited with ${code} before listening:\n${stderr}`)));
  });
  return { url, stderr: () => stderr, exited };
}
