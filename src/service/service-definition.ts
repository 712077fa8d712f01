// The shape of a service as ts-proto generates it (outputServices=generic-definitions), and the types derived from it.

/**
 * The writer an encoder may be handed for reuse (a BinaryWriter of @bufbuild/protobuf/wire), typed by the member
 * framerpc relies on rather than by the class: an ES module app's generated code sees the ESM build of
 * @bufbuild/protobuf and framerpc's declarations the CommonJS one, whose two BinaryWriter classes (distinct private
 * members) TypeScript would not match.
 */
export interface ReusableWriter {
  finish(): Uint8Array;
}

/** Encodes and decodes one message type: ts-proto's MessageFns and protobufjs's Type both fit. */
export interface MessageCodec<T> {
  /** `writer`, when the codec accepts one (ts-proto does), is reused across messages. */
  encode(message: T, writer?: ReusableWriter): { finish(): Uint8Array };
  decode(input: Uint8Array): T;
}

/** One method of a service definition. */
export interface MethodDefinition<Req = unknown, Res = unknown, ReqStream extends boolean = boolean, ResStream extends boolean = boolean> {
  readonly name: string;
  readonly requestType: MessageCodec<Req>;
  readonly requestStream: ReqStream;
  readonly responseType: MessageCodec<Res>;
  readonly responseStream: ResStream;
  readonly options?: unknown;
}

/** A service definition: ts-proto's `XServiceDefinition` constant, or one built at run time from a .proto. */
export interface ServiceDefinition {
  readonly name: string;
  /** Package-qualified name, e.g. "echo.v1.EchoService". */
  readonly fullName: string;
  readonly methods: { readonly [key: string]: MethodDefinition };
}

/** The request message type of a method definition. */
export type RequestOf<M extends MethodDefinition> = ReturnType<M['requestType']['decode']>;

type Builtin = Date | Function | Uint8Array | string | number | boolean | bigint | undefined;

/**
 * A message with every field optional, at every depth, as ts-proto's `DeepPartial` (a oneof keeps its
 * `$case`): what typed clients accept, the missing fields taking their defaults (`fromPartial`).
 */
export type DeepPartial<T> = T extends Builtin
  ? T
  : T extends Array<infer U>
    ? Array<DeepPartial<U>>
    : T extends ReadonlyArray<infer U>
      ? ReadonlyArray<DeepPartial<U>>
      : T extends { $case: string }
        ? { [K in Exclude<keyof T, '$case'>]?: DeepPartial<T[K]> } & { $case: T['$case'] }
        : T extends object
          ? { [K in keyof T]?: DeepPartial<T[K]> }
          : Partial<T>;

/** What a client may pass as a method's request: a DeepPartial of the request message. */
export type PartialRequestOf<M extends MethodDefinition> = DeepPartial<RequestOf<M>>;
/** The response message type of a method definition. */
export type ResponseOf<M extends MethodDefinition> = ReturnType<M['responseType']['decode']>;

/** The four call kinds of gRPC. */
export type CallKind = 'unary' | 'server-streaming' | 'client-streaming' | 'bidi-streaming';

export function callKindOf(method: MethodDefinition): CallKind {
  if (method.requestStream) return method.responseStream ? 'bidi-streaming' : 'client-streaming';
  return method.responseStream ? 'server-streaming' : 'unary';
}

/** The path that names a method on the wire: "/echo.v1.EchoService/Echo". */
export function methodPath(service: ServiceDefinition, method: MethodDefinition): string {
  return `/${service.fullName}/${method.name}`;
}
