// GET /v1/models and /v1/models/{id}, answered by the proxy itself from the model catalog: the
// OpenAI list shape, or Anthropic's when the client sent `anthropic-version`. Each model once,
// with `kinds` (the account kinds serving it) beside the shape's own fields.
import type { CatalogModel } from '../../../shared/types';
import type { ModelCatalog } from './model-catalog';
import { errorBody } from './proxy-answers';

const EPOCH = '1970-01-01T00:00:00Z';

function shape(m: CatalogModel, anthropicClient: boolean): Record<string, unknown> {
  if (anthropicClient) return { type: 'model', id: m.id, display_name: m.displayName ?? m.id, created_at: EPOCH, kinds: m.kinds };
  return { id: m.id, object: 'model', created: 0, owned_by: m.kinds[0] ?? 'quotadeck', kinds: m.kinds };
}

/** A 404 `model_not_found` in the client's shape. */
export function modelNotFoundBody(family: 'openai' | 'anthropic' | 'gemini', model: string): Record<string, unknown> {
  const type = family === 'anthropic' ? 'not_found_error' : 'invalid_request_error';
  return errorBody(family, 404, type, 'model_not_found', `The model "${model}" is not served by any enabled account`);
}

export function modelsAnswer(catalog: ModelCatalog, anthropicClient: boolean, id: string | null): { status: number; body: unknown } {
  const models = catalog.list(anthropicClient ? 'anthropic.messages' : 'openai.chat');
  if (id !== null) {
    const m = models.find((x) => x.id === id);
    if (!m) return { status: 404, body: modelNotFoundBody(anthropicClient ? 'anthropic' : 'openai', id) };
    return { status: 200, body: shape(m, anthropicClient) };
  }
  const data = models.map((m) => shape(m, anthropicClient));
  return {
    status: 200,
    body: anthropicClient
      ? { data, has_more: false, first_id: models[0]?.id ?? null, last_id: models[models.length - 1]?.id ?? null }
      : { object: 'list', data },
  };
}
