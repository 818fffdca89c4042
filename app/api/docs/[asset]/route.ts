import { z } from "zod";
import { withErrors } from "@/lib/http/route";
import { docsAsset } from "@/lib/openapi/docs";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

const params = z.object({ asset: z.string() });

export const GET = withErrors(async (_request, context) => docsAsset(params.parse(await context.params).asset));
