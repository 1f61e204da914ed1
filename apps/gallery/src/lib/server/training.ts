// What a run's training amounted to, in the pairing's own terms. Server-only: epochShape brings tfjs along, which
// prerendering loads anyway (data.ts reads the schemas from the same module), but no page bundle should.
import { type Embedding, embeddingFor, epochShape, type Metrics, seenClasses } from '@twinnet/core';

const plural = (n: number, word: string) => `${n.toLocaleString('en')} ${word}${n === 1 ? '' : 's'}`;

/**
 * "2 epochs × 938 steps × 60 images": the length of an epoch is the pairing's formula (an in-batch epoch takes
 * fewer, larger steps than its pairsPerEpoch suggests), and a step's images depend on the classes trained on.
 */
export function trainingLabel({ recipe, training, classNames }: Metrics): string {
  const { steps, images } = epochShape(recipe, seenClasses(recipe, classNames.length).length);
  return `${plural(training.epochs, 'epoch')} × ${plural(steps, 'step')} × ${plural(images, 'image')} (${recipe.pairing.kind})`;
}

/** The recipe beyond the variant's name: what a reader compares runs by. */
export function recipeLabel({ recipe }: Metrics): string {
  const { tower, head, loss, optimizer } = recipe;
  return (
    `${tower.kind} tower (${tower.embeddingDim}-d${tower.readout === 'output' ? '' : `, read out as ${tower.readout}`}), ` +
    `${head.kind} head, ${loss.kind} loss, ` +
    `${optimizer.kind} at ${optimizer.learningRate}, batch ${recipe.batchSize}, seed ${recipe.seed}`
  );
}

/** The commit the run started from, flagged when the work tree had uncommitted changes. */
export const commitLabel = ({ gitCommit, gitDirty }: Metrics): string =>
  `${gitCommit.slice(0, 10)}${gitDirty ? ' (with uncommitted changes)' : ''}`;

/** The classes held out of training, by name. */
export const heldOutLabel = ({ recipe, classNames }: Metrics): string =>
  classesLabel(recipe.heldOutClasses, classNames);

/** How the run compares embeddings: metrics.json's `embedding`, or (runs written before it) its head's way. */
export const runEmbedding = ({ embedding, recipe }: Metrics): Embedding =>
  embedding ?? embeddingFor(recipe.head.kind);

/** "128-d, L2-normalised, cosine similarity": the embedding and how it is compared. */
export function embeddingLabel(m: Metrics): string {
  const { normalize, metric, dim } = runEmbedding(m);
  const compared = { euclidean: 'Euclidean distance', cosine: 'cosine similarity', head: 'MLP head' }[metric];
  return `${dim ?? m.recipe.tower.embeddingDim}-d${normalize === 'l2' ? ', L2-normalised' : ''}, ${compared}`;
}

/** Classes by name, or 'none'. */
export const classesLabel = (classes: readonly number[], classNames: readonly string[]): string =>
  classes.length ? classes.map((c) => classNames[c]).join(', ') : 'none';

/** The classes kept out of training for the run's choices (transfer runs), by name. */
export const validationLabel = ({ recipe, classNames, selection }: Metrics): string =>
  selection
    ? `${classesLabel(selection.validationClasses, classNames)} (kept out of the selection fit; the final model refit on all seen classes)`
    : classesLabel(recipe.validationClasses ?? [], classNames);
