/** Builds expressions with numbered placeholders. */
export class Expression {
  public readonly names: Record<string, string> = {};
  public readonly values: Record<string, unknown> = {};
  private count = 0;

  public name(attribute: string): string {
    const placeholder = `#n${this.count++}`;
    this.names[placeholder] = attribute;
    return placeholder;
  }

  public value(value: unknown): string {
    const placeholder = `:v${this.count++}`;
    this.values[placeholder] = value;
    return placeholder;
  }
}
