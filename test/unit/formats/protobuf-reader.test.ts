import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import { messageAt, messageIndexes, parseProtoFile } from '../../../src/formats/protobuf/protobuf-reader.js';

/** Confluent's message-indexes bytes: a zigzag varint count, then zigzag varint indexes; [0] as the single byte 0. */
function indexBytes(indexes: number[]): Uint8Array {
  if (indexes.length === 1 && indexes[0] === 0) return Uint8Array.of(0);
  const writer = protobuf.Writer.create().sint32(indexes.length);
  for (const index of indexes) writer.sint32(index);
  return writer.finish();
}

const read = (bytes: Uint8Array) => messageIndexes(new protobuf.Reader(bytes));

const FILE = `syntax = "proto3";
package p;

message First { string a = 1; }

enum Kind { K = 0; }

message Second {
  map<string, int32> counts = 1;
  enum Inner { I = 0; }
  message Line {
    message Detail { string d = 1; }
  }
  message Note { string n = 1; }
}
`;

describe("Confluent's message-indexes", () => {
  it('reads the single 0 as [0], and a count followed by zigzag indexes', () => {
    expect(read(Uint8Array.of(0))).toEqual([0]);
    expect(read(Uint8Array.of(2, 2))).toEqual([1]); // count 1, index 1
    expect(read(Uint8Array.of(4, 2, 2))).toEqual([1, 1]);
    expect(read(indexBytes([1, 0, 0]))).toEqual([1, 0, 0]);
    expect(read(indexBytes([200]))).toEqual([200]); // an index of two varint bytes
  });

  it('leaves the reader at the message body', () => {
    const reader = new protobuf.Reader(Uint8Array.of(4, 2, 0, 0x0a, 0x01, 0x78));
    expect(messageIndexes(reader)).toEqual([1, 0]);
    expect(reader.pos).toBe(3);
  });

  it('refuses a count that is negative or not plausible', () => {
    expect(() => read(Uint8Array.of(1))).toThrow(/message-indexes count -1 is not plausible/);
    expect(() => read(indexBytes(Array.from({ length: 101 }, () => 0)))).toThrow(/count 101/);
  });
});

describe('the message the indexes name', () => {
  const { messages } = parseProtoFile(FILE);

  it('counts top-level messages, not enums, in declaration order', () => {
    expect(messageAt(messages, [0]).fullName).toBe('.p.First');
    expect(messageAt(messages, [1]).fullName).toBe('.p.Second');
  });

  it('follows nested messages; a map field adds no message to count', () => {
    expect(messageAt(messages, [1, 0]).fullName).toBe('.p.Second.Line');
    expect(messageAt(messages, [1, 1]).fullName).toBe('.p.Second.Note');
    expect(messageAt(messages, [1, 0, 0]).fullName).toBe('.p.Second.Line.Detail');
    expect(() => messageAt(messages, [1, 2])).toThrow('message-indexes [1, 2] name no message of the schema');
    expect(() => messageAt(messages, [2])).toThrow(/name no message/);
  });

  it('does not count a map written as its entry message (a .proto rendered from a descriptor)', () => {
    const rendered = parseProtoFile(`syntax = "proto3";
package r;
message M {
  repeated CountsEntry counts = 1;
  message CountsEntry { option map_entry = true; string key = 1; int32 value = 2; }
  message Line { string l = 1; }
}
`);
    expect(messageAt(rendered.messages, [0, 0]).fullName).toBe('.r.M.Line');
  });

  it("indexes only the file's own messages when a referenced file shares its package", () => {
    const files = new Map([['common.proto', 'syntax = "proto3"; package p; message Money { int64 units = 1; }']]);
    const { messages: own } = parseProtoFile('syntax = "proto3"; package p; import "common.proto"; message Pay { Money m = 1; }', files);
    expect(own.map((type) => type.fullName)).toEqual(['.p.Pay']);
  });
});
