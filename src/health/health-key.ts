// The key a chart's health function is declared under: `group/Kind`, or the Kind alone for the core
// group (`Service`), as Argo CD keys its health customizations by group and kind.

/** `example.com/Widget`, `apps/Deployment`, `Service`. */
export const HEALTH_KEY_PATTERN = /^(?:[a-z0-9]([a-z0-9.-]*[a-z0-9])?\/)?[A-Z][A-Za-z0-9]*$/;
