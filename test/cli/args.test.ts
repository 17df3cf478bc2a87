import { describe, expect, it } from "vitest";
import { helpText, parseArgs, parseValue } from "../../cli/args.js";
import { COMMANDS } from "../../cli/commands.js";
import { shuffled } from "../../cli/order.js";

const parse = (line: string) => parseArgs(line.split(" ").filter(Boolean), COMMANDS);
const usageError = (line: string, message: RegExp) =>
  expect(() => parse(line)).toThrow(
    expect.objectContaining({ name: "CliError", usage: true, message: expect.stringMatching(message) }),
  );

describe("argument parsing", () => {
  it("reads the documented train command", () => {
    expect(parse("train --learner ff --data mnist --epochs 3 --save model.engram")).toEqual({
      command: "train",
      positionals: [],
      flags: { learner: "ff", data: "mnist", epochs: 3, save: "model.engram" },
    });
  });

  it("takes --flag=value, switches, number lists, numbers and repeated key=value pairs", () => {
    const p = parse(
      "train --epochs=2 --json --hidden 1000,1000,1000 --lr 0.003 --set threshold=2 --set peer=true --set sizes=784,10 --set act=relu",
    );
    expect(p.flags).toEqual({
      epochs: 2,
      json: true,
      hidden: [1000, 1000, 1000],
      lr: 0.003,
      set: { threshold: 2, peer: true, sizes: [784, 10], act: "relu" },
    });
  });

  it("reads eval with its model path", () => {
    expect(parse("eval out/m.engram --data /tmp/x --json")).toEqual({
      command: "eval",
      positionals: ["out/m.engram"],
      flags: { data: "/tmp/x", json: true },
    });
  });

  it("turns help in any position into the help command", () => {
    expect(parse("").command).toBe("help");
    expect(parse("--help").command).toBe("help");
    expect(parse("train --epochs 2 -h")).toEqual({ command: "help", positionals: ["train"], flags: {} });
    const text = helpText("engram", COMMANDS);
    for (const flag of ["--learner", "--data", "--epochs", "--save", "--json"]) expect(text).toContain(flag);
    expect(text).toContain("engram eval <model>");
  });

  it("rejects what it does not know, naming the flag and what it wanted", () => {
    usageError("fit", /unknown command 'fit' \(commands: train, eval\)/);
    usageError("train --epoch 2", /unknown option '--epoch' for 'train'/);
    usageError("train -e 2", /unknown option '-e'/);
    usageError("train --epochs", /--epochs needs a value/);
    usageError("train --epochs two", /--epochs must be a whole number, got 'two'/);
    usageError("train --epochs -1", /--epochs must be a whole number, got '-1'/);
    usageError("train --lr 0", /--lr must be a positive number/);
    usageError("train --lr nan", /--lr must be a positive number/);
    usageError("train --hidden 500,,500", /comma-separated list of positive integers/);
    usageError("train --hidden 0", /comma-separated list of positive integers/);
    usageError("train --set threshold", /--set must be key=value/);
    usageError("train --json=yes", /--json takes no value/);
    usageError("train extra", /'train' takes no arguments, got 'extra'/);
    usageError("eval", /'eval' takes <model>, got none/);
    usageError("eval a b", /'eval' takes <model>, got 'a' 'b'/);
  });

  it("parses --set values as numbers, booleans, lists, JSON or strings", () => {
    expect(parseValue("1e-3")).toBe(0.001);
    expect(parseValue("-2")).toBe(-2);
    expect(parseValue("false")).toBe(false);
    expect(parseValue("1,-2.5")).toEqual([1, -2.5]);
    expect(parseValue('{"a":[1]}')).toEqual({ a: [1] });
    expect(parseValue("oja")).toBe("oja");
    expect(() => parseValue("[1,")).toThrow(/does not parse/);
  });
});

describe("training order", () => {
  it("is a permutation, the same for the same seed and epoch, different otherwise", () => {
    const a = shuffled(1000, 1, 0);
    expect([...a].sort((x, y) => x - y)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(shuffled(1000, 1, 0)).toEqual(a);
    const moved = (b: Uint32Array) => b.filter((v, i) => v !== a[i]).length;
    expect(moved(shuffled(1000, 1, 1))).toBeGreaterThan(900);
    expect(moved(shuffled(1000, 2, 0))).toBeGreaterThan(900);
    expect(a.filter((v, i) => v === i).length).toBeLessThan(20); // about 1 fixed point expected
  });
});
