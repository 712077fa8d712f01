// framerpc's internal entry ("framerpc/internal"): for framerpc's own packages and tools, not a stable API.
// A placeholder until the internal surface is curated: it offers what the public entry offers.
export * from './index';
