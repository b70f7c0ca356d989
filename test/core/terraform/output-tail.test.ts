import { describe, expect, it } from 'vitest';
import { OutputTail, dropLeadingBytes } from '../../../src/core/terraform/output-tail.js';

describe('OutputTail', () => {
  it('keeps everything under the bound', () => {
    const tail = new OutputTail(100);
    tail.append('hello ');
    tail.append('world');
    expect(tail.toString()).toBe('hello world');
    expect(tail.truncated).toBe(false);
  });

  it('keeps only the last bytes and says it dropped some', () => {
    const tail = new OutputTail(10);
    for (let i = 0; i < 100; i++) tail.append(`line ${i}\n`);
    expect(tail.toString()).toBe('8\nline 99\n'); // exactly the last 10 bytes
    expect(tail.truncated).toBe(true);
  });

  it('never splits a multibyte character when dropping', () => {
    const tail = new OutputTail(5);
    tail.append('ééé'); // 6 bytes
    expect(tail.toString()).toBe('éé');
    expect(dropLeadingBytes('€x', 1)).toBe('x');
  });
});
