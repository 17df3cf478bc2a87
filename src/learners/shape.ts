// One meaning for a network's shape in every learner: { inputs, hidden: [...], classes }.
// `sizes` is read only as a deprecated alias where its meaning is unambiguous, so
// snapshots written before 0.2 (their configs hold `sizes`) keep restoring.
import { EngramError } from "../errors.js";
import { MAX_UNITS, type Options } from "../options.js";

/** A layered network's shape: input width, hidden widths in order, number of classes. */
export interface Shape {
  /** Values per sample. */
  inputs: number;
  /** Widths of the hidden layers, input side first. */
  hidden: number[];
  /** Number of classes (≥ 2). */
  classes: number;
}

/**
 * @internal Reads `inputs`, `hidden`, `classes`, or the deprecated `sizes`:
 * - `"forwardForward"`: `sizes` = [inputs, ...hidden], with `classes` given beside it;
 * - `"perceptron"`: `sizes` = [inputs, ...hidden, classes], without `classes`.
 * Any other mix is E_CONFIG naming what to write. `minHidden`: hidden layers required.
 */
export function readShape(
  learner: string,
  o: Options,
  legacy: "forwardForward" | "perceptron",
  minHidden: number,
): Shape {
  const given = (k: string) => o.given(k); // the owned copy: the user's object is read once, by Options
  const example = `{ inputs: 784, hidden: [${minHidden ? "500" : "256"}], classes: 10 }`;
  if (given("sizes")) {
    const clash = ["inputs", "hidden", ...(legacy === "perceptron" ? ["classes"] : [])].filter(given);
    if (clash.length)
      throw new EngramError(
        "E_CONFIG",
        `${learner}: option 'sizes' (deprecated) cannot be combined with ${clash.map((k) => `'${k}'`).join(", ")}; write ${example}`,
      );
    if (legacy === "forwardForward") {
      if (!given("classes"))
        throw new EngramError(
          "E_CONFIG",
          `${learner}: option 'sizes' (deprecated) is ambiguous without 'classes'; write ${example}`,
        );
      const sizes = o.sizes("sizes", undefined, 1 + minHidden, MAX_UNITS);
      return { inputs: sizes[0]!, hidden: sizes.slice(1), classes: o.int("classes", undefined, 2, 65536) };
    }
    const sizes = o.sizes("sizes", undefined, 2 + minHidden, MAX_UNITS);
    const classes = sizes[sizes.length - 1]!;
    if (classes < 2)
      throw new EngramError(
        "E_CONFIG",
        `${learner}: the last entry of 'sizes' (deprecated) is the number of classes and must be at least 2, got ${classes}; write ${example}`,
      );
    return { inputs: sizes[0]!, hidden: sizes.slice(1, -1), classes };
  }
  const inputs = o.int("inputs", undefined, 1, MAX_UNITS);
  const hidden = o.sizes("hidden", minHidden ? undefined : [], minHidden, MAX_UNITS);
  const classes = o.int("classes", undefined, 2, legacy === "forwardForward" ? 65536 : MAX_UNITS);
  return { inputs, hidden, classes };
}
