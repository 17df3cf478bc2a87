// The plain-JavaScript twin of the spiking learner's learning presentation (assembly/learners/
// spiking.ts, rules in assembly/rules/stdp.ts): the same model, constants, event-driven input
// (geometric gaps in a calendar queue), Euler step, nearest-spike STDP, inhibition and
// normalisation, written the obvious way with Float32Arrays. Its own PRNG (an LCG) and Math.log,
// so it follows the same distribution, not the same bits: it exists to time the simulation.

/** A learner-like twin: learn(x) presents x with plasticity; returns spikes and synaptic events. */
export function jsTwin(o: Record<string, number | string>, seed: number) {
  const N = o["inputs"] as number,
    K = o["neurons"] as number;
  const dt = o["dt"] as number;
  const T = Math.ceil((o["presentationTime"] as number) / dt - 1e-3);
  const k = dt / 100,
    decayE = Math.exp(-dt / 1),
    decayI = Math.exp(-dt / 2);
  const d1 = Math.exp(-dt / 20),
    d2 = Math.exp(-dt / 40),
    dPre = Math.exp(-dt / 20);
  const refrSteps = Math.round(5 / dt);
  const thetaDecay = Math.exp(-(T * dt + (o["restTime"] as number)) / 1e7);
  const rate = ((o["maxRate"] as number) * dt) / 1000;
  const etaPre = o["depressionRate"] as number,
    etaPost = o["learningRate"] as number;
  const wMax = o["weightMax"] as number,
    wSum = o["weightSum"] as number,
    thetaPlus = o["thetaPlus"] as number,
    wInh = o["inhibition"] as number;
  const minSpikes = o["minSpikes"] as number,
    maxRetries = o["maxRetries"] as number;
  let s = seed >>> 0;
  const uniform = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) >>> 8) / 16777216;
  const w = new Float32Array(N * K).map(() => uniform() * 0.3);
  const theta = new Float32Array(K);
  const v = new Float32Array(K),
    ge = new Float32Array(K),
    gi = new Float32Array(K);
  const x1 = new Float32Array(K),
    x2 = new Float32Array(K),
    refr = new Float32Array(K),
    count = new Float32Array(K);
  const xPre = new Float32Array(N),
    lq = new Float32Array(N),
    link = new Int32Array(N),
    head = new Int32Array(T);
  const spiked: number[] = [];

  function normalize(): void {
    for (let j = 0; j < K; j++) {
      let sum = 0;
      for (let i = 0; i < N; i++) sum += w[i * K + j]!;
      const f = sum > 0 ? wSum / sum : 1;
      for (let i = 0; i < N; i++) w[i * K + j]! *= f;
    }
  }
  normalize();

  function gapFrom(i: number, step: number): number {
    const g = Math.log(1 - uniform()) / lq[i]!;
    return g < T - step ? step + 1 + Math.floor(g) : T;
  }

  function present(x: Float32Array, intensity: number): { spikes: number; events: number } {
    v.fill(-65);
    ge.fill(0);
    gi.fill(0);
    x1.fill(0);
    x2.fill(0);
    refr.fill(0);
    count.fill(0);
    xPre.fill(0);
    head.fill(-1);
    const push = (i: number, t: number) => {
      if (t < T) {
        link[i] = head[t]!;
        head[t] = i;
      }
    };
    for (let i = 0; i < N; i++) {
      const p = Math.min(Math.max(x[i]! * rate * intensity, 0), 1);
      if (!(p > 0)) continue;
      lq[i] = Math.log(1 - p);
      push(i, gapFrom(i, -1));
    }
    let total = 0,
      events = 0;
    for (let t = 0; t < T; t++) {
      for (let i = head[t]!; i >= 0;) {
        const after = link[i]!;
        const row = i * K;
        for (let j = 0; j < K; j++) {
          const wv = w[row + j]!;
          ge[j]! += wv;
          w[row + j] = Math.max(wv - etaPre * x1[j]!, 0);
        }
        events += K;
        xPre[i] = 1;
        push(i, gapFrom(i, t));
        i = after;
      }
      spiked.length = 0;
      for (let j = 0; j < K; j++) {
        const vv = v[j]!;
        const active = refr[j]! <= 0;
        if (active) v[j] = Math.min(Math.max(vv + k * (-65 - vv + ge[j]! * (0 - vv) + gi[j]! * (-100 - vv)), -100), 0);
        refr[j] = Math.max(refr[j]! - 1, 0);
        ge[j]! *= decayE;
        gi[j]! *= decayI;
        x1[j]! *= d1;
        x2[j]! *= d2;
        if (active && v[j]! > -52 + theta[j]!) spiked.push(j);
      }
      for (const j of spiked) {
        v[j] = -65;
        refr[j] = refrSteps;
        count[j]! += 1;
        theta[j]! += thetaPlus;
        const a = etaPost * x2[j]!;
        for (let i = 0; i < N; i++) w[i * K + j] = Math.min(w[i * K + j]! + a * xPre[i]!, wMax);
        events += N;
        x1[j] = 1;
        x2[j] = 1;
        const own = gi[j]!;
        for (let q = 0; q < K; q++) gi[q]! += wInh;
        gi[j] = own;
      }
      total += spiked.length;
      for (let i = 0; i < N; i++) xPre[i]! *= dPre;
    }
    return { spikes: total, events };
  }

  return {
    learn(x: Float32Array): { spikes: number; events: number } {
      let intensity = 1,
        events = 0;
      for (let attempt = 0; ; attempt++) {
        const r = present(x, intensity);
        events += r.events;
        normalize();
        for (let j = 0; j < K; j++) theta[j]! *= thetaDecay;
        if (r.spikes >= minSpikes || attempt >= maxRetries) return { spikes: r.spikes, events };
        intensity += 0.5;
      }
    },
  };
}
