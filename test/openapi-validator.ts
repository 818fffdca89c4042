import Ajv2020, { type ValidateFunction } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import document from "@/openapi.json";

// Every response the integration suite receives is checked against the committed OpenAPI
// document: its status must be listed for the operation, its body must match that response's
// schema, and its required headers must be there. A response the document does not describe
// fails the test that received it.
type Operation = { responses: Record<string, { content?: Record<string, unknown>; headers?: Record<string, { required?: boolean }> }> };

const ajv = new Ajv2020({ strict: false, allErrors: true, validateSchema: false });
addFormats(ajv);
ajv.addSchema(document, "openapi");

const paths = Object.entries(document.paths as Record<string, Record<string, Operation>>).map(([template, operations]) => ({
  template,
  pattern: new RegExp(`^${template.replace(/\{[^}]+\}/g, "[^/]+")}$`),
  operations,
}));

const validators = new Map<string, ValidateFunction>();

function pointer(...segments: string[]) {
  return segments.map((segment) => segment.replaceAll("~", "~0").replaceAll("/", "~1")).join("/");
}

function bodyValidator(template: string, method: string, status: string): ValidateFunction {
  const key = `${method} ${template} ${status}`;
  let validate = validators.get(key);
  if (!validate) {
    const ref = `openapi#/${pointer("paths", template, method, "responses", status, "content", "application/json", "schema")}`;
    validate = ajv.compile({ $ref: ref });
    validators.set(key, validate);
  }
  return validate;
}

function isEnvelope(body: unknown, code: string, headers: Headers) {
  const envelope = body as { error_code?: unknown; detail?: unknown };
  return envelope?.error_code === code && typeof envelope.detail === "string" && headers.get("x-error-code") === code;
}

export function assertDescribed(method: string, pathname: string, status: number, headers: Headers, body: unknown) {
  const where = `${method} ${pathname} → ${status} ${JSON.stringify(body)?.slice(0, 300)}`;
  const path = paths.find((candidate) => candidate.pattern.test(pathname));
  if (!path) {
    if (status === 404 && isEnvelope(body, "NOT_FOUND", headers)) return;
    throw new Error(`OpenAPI: no path in the document matches ${where}`);
  }
  const operation = path.operations[method.toLowerCase()];
  if (method === "OPTIONS" && status === 204 && headers.get("allow")) return; // CORS preflight, on every path
  if (!operation) {
    if (status === 405 && isEnvelope(body, "METHOD_NOT_ALLOWED", headers) && headers.get("allow")) return;
    throw new Error(`OpenAPI: ${method} is not an operation of ${path.template}: ${where}`);
  }
  const response = operation.responses[String(status)];
  if (!response) throw new Error(`OpenAPI: status ${status} is not listed for ${method} ${path.template}: ${where}`);
  for (const [name, header] of Object.entries(response.headers ?? {})) {
    if (header.required && !headers.has(name)) throw new Error(`OpenAPI: missing required header ${name}: ${where}`);
  }
  if (status >= 400 && headers.get("x-error-code") !== (body as { error_code?: string })?.error_code) {
    throw new Error(`OpenAPI: X-Error-Code does not match error_code: ${where}`);
  }
  if (!response.content) {
    if (body !== "" && body !== undefined) throw new Error(`OpenAPI: expected an empty body: ${where}`);
    return;
  }
  const validate = bodyValidator(path.template, method.toLowerCase(), String(status));
  if (!validate(body)) throw new Error(`OpenAPI: body does not match the schema (${ajv.errorsText(validate.errors)}): ${where}`);
}
