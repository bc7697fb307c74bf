// The addresses of a Service's or an Ingress's status.loadBalancer: what a controller assigned. Pure.

/** Each ingress point's IP or hostname; empty when none is assigned. */
export function addressesOf(loadBalancer: unknown): string[] {
  const ingress = (loadBalancer as { ingress?: unknown } | undefined)?.ingress;
  if (!Array.isArray(ingress)) return [];
  return ingress.flatMap((point: { ip?: unknown; hostname?: unknown }) => {
    const address = typeof point?.ip === 'string' && point.ip !== '' ? point.ip : point?.hostname;
    return typeof address === 'string' && address !== '' ? [address] : [];
  });
}
