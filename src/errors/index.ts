// The error catalogue and the local error classes without a layer of their own.
export { ErrorCode, errorCatalogue, type ErrorEntry } from './catalogue';
export { FramerpcOptionError, FramerpcArgumentError, FramerpcError } from './framerpc-errors';
