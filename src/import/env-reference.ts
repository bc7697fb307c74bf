// A value the TypeScript stack reads from an environment variable (`process.env.NAME!`), such as a
// repository password. It is an instance of this class, not a marked string: nothing parsed from a
// helmfile is ever an instance, so no helmfile text can turn into code, and the name is checked to be
// an identifier before it is written after `process.env.`. Pure.

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

export class EnvReference {
  readonly name: string;

  constructor(name: string) {
    if (!IDENTIFIER.test(name)) throw new TypeError(`not an environment variable name: ${JSON.stringify(name)}`);
    this.name = name;
  }
}
