// AVRO values and keys are read through src/sink/decoded-input.ts, as every format that decodes to attributes is.
export { AvroReader } from '../formats/avro/avro-reader.js';
