// Test-only: drives a reference DecoderRunner and a runner under test with the same calls and
// checks that every logits row agrees, so runner tests state only what they step through.
import assert from 'node:assert/strict';
import type { DecoderRunner, SequenceId } from '../generation/runner';

/** (name, tokens, position): one sequence's step, by the test's name for the sequence. */
export type TwinStep = [string, number[], number];

export function maxDiff(a: Float32Array, b: Float32Array): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

export class RunnerTwin<R extends DecoderRunner> {
  /** Max |runner - reference| of every logits row compared so far. */
  readonly diffs: number[] = [];
  private readonly ids = new Map<string, [SequenceId, SequenceId]>();

  constructor(
    readonly reference: DecoderRunner,
    readonly runner: R,
    private readonly tol: number,
    private readonly label: string,
  ) {}

  async open(name: string): Promise<void> {
    this.ids.set(name, [await this.reference.openSequence(), await this.runner.openSequence()]);
  }

  async close(name: string): Promise<void> {
    const [a, b] = this.ids.get(name)!;
    await this.reference.closeSequence(a);
    await this.runner.closeSequence(b);
  }

  /** The runner under test's id for a sequence. */
  id(name: string): SequenceId {
    return this.ids.get(name)![1];
  }

  /** One call carrying `steps`; returns the runner under test's logits rows. */
  async forward(steps: TwinStep[]): Promise<Float32Array[]> {
    const call = (r: DecoderRunner, which: 0 | 1, part: TwinStep[]) =>
      r.forward(part.map(([name, tokens, position]) => ({ sequence: this.ids.get(name)![which], tokens: Int32Array.from(tokens), position })));
    const expected = await call(this.reference, 0, steps);
    // A batch-1 runner takes the branches one call each, as the generation loop would give them.
    let got: Float32Array[] = [];
    if (this.runner.maxBatch >= steps.length) got = await call(this.runner, 1, steps);
    else for (const step of steps) got.push(...(await call(this.runner, 1, [step])));
    got.forEach((row, i) => {
      const d = maxDiff(row, expected[i]);
      this.diffs.push(d);
      assert.ok(d < this.tol, `call ${this.diffs.length} row ${i}: ${this.label} differ by ${d}`);
    });
    return got;
  }
}
