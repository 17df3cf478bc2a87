// Suite helpers shared by the robustness tests (vitest only).
import { describe, it } from "vitest";
import { DESCRIPTORS, descriptor, type Descriptor } from "./learners.js";

/**
 * One describe block per kind; a kind without a descriptor gets a single failing
 * test instead of breaking collection (so the rest of the suite still runs).
 */
export function describeKinds(kinds: string[], title: string, body: (kind: string, d: Descriptor) => void): void {
  for (const kind of kinds) {
    describe(`${kind}: ${title}`, () => {
      const d = DESCRIPTORS[kind];
      if (!d) it("has a robustness descriptor", () => void descriptor(kind));
      else body(kind, d);
    });
  }
}
