// `npm run openapi`: writes openapi.json (the document the API serves) and lib/api-client/schema.ts
// (TypeScript types generated from it for the typed client). Both are committed; the test
// suite fails when either is stale.
import { writeGeneratedFiles } from "@/lib/openapi/generated";

const written = await writeGeneratedFiles();
for (const file of written) console.log(`wrote ${file}`);
