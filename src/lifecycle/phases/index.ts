// The built-in phases, bundled as the defaults every chart starts from.
import type { DefaultPhases } from '../types.js';
import { checkPrerequisites } from './check-prerequisites.js';
import { exec } from './exec.js';
import { onDeployFailure } from './on-deploy-failure.js';
import { postExec } from './post-exec.js';
import { preExec } from './pre-exec.js';
import { validate } from './validate.js';

export const defaultPhases: DefaultPhases = Object.freeze({ checkPrerequisites, preExec, exec, onDeployFailure, postExec, validate });
