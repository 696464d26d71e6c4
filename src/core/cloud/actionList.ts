// The shape of a fix's cloud actions as a session file or a request carries them (untrusted): a short list of
// `{api, params}` with JSON parameters of bounded depth and size. Provider-neutral: each provider's executor
// checks the API names and every parameter again, strictly, before anything is sent (alicloud/apply.ts,
// huawei/apply.ts). Alibaba's parameters are flat, Huawei's are nested bodies ({firewall: {ingress_rules:
// [{…}]}}), so this only bounds what may be kept and shown.
import { z } from 'zod';

const MAX_DEPTH = 6;

/** A JSON value: strings up to 4096 characters, finite numbers, booleans, null, arrays ≤ 200, objects ≤ 200 keys. */
function jsonValue(depth: number): z.ZodType<unknown> {
  const scalar = z.union([z.string().max(4096), z.number().finite(), z.boolean(), z.null()]);
  if (depth >= MAX_DEPTH) return scalar;
  return z.lazy(() => z.union([scalar, z.array(jsonValue(depth + 1)).max(200), z.record(z.string().min(1).max(128), jsonValue(depth + 1)).refine((o) => Object.keys(o).length <= 200, 'too many keys')]));
}

export const cloudActionDocSchema = z.object({
  api: z.string().min(1).max(64),
  params: z.record(z.string().min(1).max(128), jsonValue(1)),
});
/** One fix's actions (1..20). */
export const cloudActionListSchema = z.array(cloudActionDocSchema).min(1).max(20);
