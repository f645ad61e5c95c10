/**
 * The pathological documents of issue #7's size limits: a 10 MB file, a 100 000-line file, a
 * single 1 MiB line, binary content and values continued over many lines. sizeLimits.test.ts
 * checks what the server answers for them; `npm run bench` times them (bench/server.mjs reads the
 * compiled module).
 */

/** A hardened [Service] head the documents start with. */
export const HEAD = '[Service]\nExecStart=/usr/bin/x\nNoNewPrivileges=yes\nSystemCallArchitectures=native\n';

function binary(length: number): string {
  let s = '';
  for (let i = 0; i < length; i++) s += String.fromCharCode((i * 7919 + (i >> 7)) % 256);
  return s;
}

export interface PathologicalDocument {
  /** File name the document is opened as. */
  readonly name: string;
  /** What it is, for the benchmark table. */
  readonly what: string;
  readonly text: () => string;
  /** Diagnostic codes the server must publish for it. */
  readonly expect: readonly string[];
}

export const PATHOLOGICAL: readonly PathologicalDocument[] = [
  { name: 'ten-mb.service', what: 'a 10 MB file', text: () => HEAD + 'Environment=A=1234567890\n'.repeat(420000), expect: ['file-too-large'] },
  { name: 'lines.service', what: 'a 100 000-line file', text: () => HEAD + 'SystemCallFilter=~@mount\n'.repeat(100000), expect: ['file-too-large', 'duplicate-syscall'] },
  { name: 'long-line.service', what: 'a single 1 MiB line', text: () => `${HEAD}Environment=A=${'x'.repeat(1024 * 1024)}\nUser=a\n`, expect: ['file-too-large', 'syntax-line-too-long'] },
  { name: 'binary.service', what: '2 MB of binary content', text: () => binary(2 * 1024 * 1024), expect: ['file-too-large', 'syntax-nul-byte'] },
  { name: 'continued.service', what: 'a value continued over 100 000 lines', text: () => `${HEAD}SystemCallFilter=~@mount \\\n${'  read \\\n'.repeat(100000)}  write\n`, expect: ['file-too-large'] },
  { name: 'continued-small.service', what: 'a value continued over 20 000 lines (under the cap)', text: () => `${HEAD}SystemCallFilter=~@mount \\\n${'  read \\\n'.repeat(20000)}  chwon\n`, expect: ['duplicate-syscall'] },
];
