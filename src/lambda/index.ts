// dynamodb-kafka/lambda: the AWS Lambda handler for DynamoDB Streams → Kafka.
export { handler, createStreamHandler, type StreamHandler, type StreamHandlerOptions } from './handler.js';
export type { BatchResponse, LambdaStreamEvent, LambdaStreamRecord } from './event.js';
export { variableFor } from './env-config.js';
