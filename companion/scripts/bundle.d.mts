/** Bundles `entry` (TypeScript) into one ES module at `outfile` for plain node; npm dependencies stay external. */
export function bundle(entry: string, outfile: string): Promise<void>;
