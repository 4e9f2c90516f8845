import { silenceSdkNodeVersionWarning } from '../../src/cli/node-warnings.js';

silenceSdkNodeVersionWarning();
