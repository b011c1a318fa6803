/**
 * Bybit v5's stream paths under one host, in the shape ccxt pro reads from `urls.api.ws` (`trade` is not
 * built from `{hostname}`, so it is set explicitly). No ccxt import: the paper exchange's helpers use it too.
 */
export function streamUrls(ws: string) {
  return {
    public: {
      linear: `${ws}/v5/public/linear`,
      spot: `${ws}/v5/public/spot`,
      inverse: `${ws}/v5/public/inverse`,
      option: `${ws}/v5/public/option`,
    },
    private: {
      contract: `${ws}/v5/private`,
      spot: { unified: `${ws}/v5/private`, nonUnified: `${ws}/v5/private` },
      usdc: `${ws}/v5/private`,
      trade: `${ws}/v5/trade`,
    },
  };
}
