/** Confluent's wire format: magic byte 0, then the schema's id as a big-endian int32, then the payload. */
export const MAGIC_BYTE = 0;
export const HEADER_BYTES = 5;

export function wireHeader(schemaId: number): Buffer {
  const header = Buffer.alloc(HEADER_BYTES);
  header.writeUInt8(MAGIC_BYTE, 0);
  header.writeInt32BE(schemaId, 1);
  return header;
}
