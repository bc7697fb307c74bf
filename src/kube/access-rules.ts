// Whether a SelfSubjectRulesReview's rules allow a request. One review answers every question about
// one namespace, where a SelfSubjectAccessReview answers one. Pure.
import type { AccessQuery, AccessRules, ResourceRule } from './types.js';

const matches = (listed: readonly string[], wanted: string) => listed.includes('*') || listed.includes(wanted);

function ruleAllows(rule: ResourceRule, query: AccessQuery): boolean {
  // A rule limited to named objects does not cover a create, nor every release record helm writes.
  if (rule.resourceNames.length > 0) return false;
  return matches(rule.verbs, query.verb) && matches(rule.apiGroups, query.group ?? '') && matches(rule.resources, query.resource);
}

/** 'allowed', 'denied', or 'unknown' when the review was incomplete and no rule allows it (ask an access review then). */
export function rulesAllow(rules: AccessRules, query: AccessQuery): 'allowed' | 'denied' | 'unknown' {
  if (rules.resourceRules.some((rule) => ruleAllows(rule, query))) return 'allowed';
  return rules.incomplete ? 'unknown' : 'denied';
}
