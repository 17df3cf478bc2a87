// Every learner kind registers here, once. Append one line per learner module.
export {};
