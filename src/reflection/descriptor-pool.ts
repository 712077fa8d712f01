// The descriptors a reflection service hands out: protobufjs roots turned into FileDescriptorProtos, one per package.
import * as protobuf from 'protobufjs';
import type * as descriptor from 'protobufjs/ext/descriptor';
import { descriptorModule } from './descriptor-module';

interface PoolFile {
  readonly name: string;
  readonly bytes: Uint8Array;
  readonly dependencies: readonly string[];
}

/**
 * Answers "which file declares this symbol" and "the file of this name", with transitive dependencies,
 * from protobufjs roots. protobufjs writes one file per package (named after the package, e.g.
 * "echo_v1.proto"), so a file name from reflection need not match the .proto file's name on disk.
 * Type references are written fully qualified, so any descriptor consumer can link them.
 */
export class DescriptorPool {
  private readonly files = new Map<string, PoolFile>();
  private readonly fileOfSymbol = new Map<string, string>();

  constructor(roots: readonly protobuf.Root[]) {
    for (const root of roots) this.addRoot(root);
  }

  /** The file declaring `symbol` (a service, method, message, enum: "echo.v1.EchoService.Echo") and what it imports. */
  filesContainingSymbol(symbol: string): Uint8Array[] | undefined {
    const name = this.fileOfSymbol.get(symbol.replace(/^\./, ''));
    return name === undefined ? undefined : this.withDependencies(name);
  }

  /** The file named `name` and what it imports. */
  filesByName(name: string): Uint8Array[] | undefined {
    return this.files.has(name) ? this.withDependencies(name) : undefined;
  }

  /** True when some root declares `symbol`. */
  has(symbol: string): boolean {
    return this.fileOfSymbol.has(symbol.replace(/^\./, ''));
  }

  private withDependencies(name: string): Uint8Array[] {
    const out: Uint8Array[] = [];
    const seen = new Set<string>();
    const visit = (fileName: string): void => {
      const file = this.files.get(fileName);
      if (!file || seen.has(fileName)) return;
      seen.add(fileName);
      out.push(file.bytes);
      for (const dependency of file.dependencies) visit(dependency);
    };
    visit(name);
    return out;
  }

  private addRoot(root: protobuf.Root): void {
    descriptorModule(); // adds toDescriptor
    const set = (root as unknown as { toDescriptor(edition: string): descriptor.IFileDescriptorSet }).toDescriptor('proto3');
    for (const file of set.file ?? []) {
      const name = file.name ?? '';
      if (this.files.has(name)) continue; // the first root to declare a package wins
      const dependencies = new Set<string>();
      const prefix = file.package ? `${file.package}.` : '';
      for (const message of file.messageType ?? []) this.qualifyMessage(root, `${prefix}${message.name}`, message, name, dependencies);
      for (const enumType of file.enumType ?? []) this.fileOfSymbol.set(`${prefix}${enumType.name}`, name);
      for (const service of file.service ?? []) {
        const serviceName = `${prefix}${service.name}`;
        this.fileOfSymbol.set(serviceName, name);
        for (const method of service.method ?? []) {
          this.fileOfSymbol.set(`${serviceName}.${method.name}`, name);
          for (const typeName of [method.inputType, method.outputType]) this.noteDependency(root, typeName ?? '', name, dependencies);
        }
      }
      file.dependency = [...dependencies];
      const bytes = descriptorModule()
        .FileDescriptorProto.encode(file as descriptor.IFileDescriptorProto)
        .finish();
      this.files.set(name, { name, bytes, dependencies: file.dependency });
    }
  }

  /** Records the message's symbols and rewrites its field type names fully qualified (protobufjs keeps them as written). */
  private qualifyMessage(root: protobuf.Root, fullName: string, message: descriptor.IDescriptorProto, fileName: string, dependencies: Set<string>): void {
    this.fileOfSymbol.set(fullName, fileName);
    const type = root.lookup(fullName);
    if (type instanceof protobuf.Type) {
      for (const field of message.field ?? []) {
        const resolved = field.number === undefined || field.number === null ? undefined : type.fieldsById[field.number]?.resolvedType;
        if (resolved) {
          field.typeName = resolved.fullName;
          this.noteDependency(root, resolved.fullName, fileName, dependencies);
        }
      }
    }
    for (const nested of message.nestedType ?? []) this.qualifyMessage(root, `${fullName}.${nested.name}`, nested, fileName, dependencies);
    for (const enumType of message.enumType ?? []) this.fileOfSymbol.set(`${fullName}.${enumType.name}`, fileName);
  }

  /** Adds the file of the package declaring `typeName` to `dependencies`, unless it is `fileName` itself. */
  private noteDependency(root: protobuf.Root, typeName: string, fileName: string, dependencies: Set<string>): void {
    const type = root.lookup(typeName);
    let namespace: protobuf.NamespaceBase | null = type ? type.parent : null;
    while (namespace && namespace instanceof protobuf.Type) namespace = namespace.parent;
    if (!namespace) return;
    const packageFile = namespace.filename || `${namespace.fullName.substring(1).replace(/\./g, '_') || 'root'}.proto`;
    if (packageFile !== fileName) dependencies.add(packageFile);
  }
}
