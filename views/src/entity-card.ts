// The entity card: one catalog entity, from `catalog.get-catalog-entity` or any tool whose
// output is an entity.

import './shared/style.css';
import { show } from './shared/dom';
import { isEntity, renderCard } from './shared/entity';
import { errorBox, pageConfig, resultData, resultError, startView } from './shared/view';

const root = document.getElementById('root')!;
const config = pageConfig();

void startView('mcp-actions-entity-card', (result, app) => {
  const error = resultError(result);
  if (error !== undefined) return show(root, errorBox(error));
  const data = resultData(result);
  if (!isEntity(data)) return show(root, errorBox('The tool did not return a catalog entity.'));
  show(root, renderCard(data, app, config));
});
