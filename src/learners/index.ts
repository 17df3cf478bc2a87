// Every learner kind registers here, once. Append one line per learner module.
export {};
import "./feedbackAlignment.js";
export * from "./feedbackAlignment.js";
import "./hebbian.js";
export * from "./hebbian.js";
import "./forwardForward.js";
export * from "./forwardForward.js";
import "./perturbation.js";
export * from "./perturbation.js";
import "./rewardModulated.js";
export * from "./rewardModulated.js";
import "./continual.js";
export * from "./continual.js";
import "./eprop.js";
export * from "./eprop.js";
import "./spiking.js";
export * from "./spiking.js";
