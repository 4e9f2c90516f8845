/** This package's version: source.version of every change record, and the REST API's `version`. */
export const CONNECTOR_VERSION = '0.1.0';
