/** Usage and per-command help: every flag with its default, and an example. */
import { LOSS_NAMES } from '../engine/losses';
import { DEFAULT_TRAINING_OPTIONS as D } from '../engine/train/options';
import { CHECKPOINT_FILE, DEFAULT_CHECKPOINT_EVERY } from './checkpoint';
import { DEFAULT_BACKEND } from './io';
import { DEFAULT_EMBED_BATCH } from './model';

export const PROGRAM = 'embedding-studio';

export const USAGE = `Usage: ${PROGRAM} <command> [flags]

Fine-tune and use sentence-embedding models: BERT, RoBERTa / XLM-RoBERTa, MPNet and GPT-2 (TensorFlow.js, headless).

Commands:
  embed   embed one text per line; print one JSON array per line
  train   fine-tune a model on a dataset; write a sentence-transformers folder
  eval    evaluate a model on a dataset; print the metrics as one JSON object
  mine    mine hard negatives for pairs with a model; write group rows with scores (JSONL)
  push    publish a model folder to the Hugging Face Hub (token from HF_TOKEN)

Run '${PROGRAM} <command> --help' for a command's flags.
Results go to stdout, progress and messages to stderr. Exit codes: 0 ok, 2 bad input (the
message says what to fix), 1 unexpected error, 130 training interrupted (model still saved).`;

const HEAD_FLAGS = `  --pooling MODE        mean | cls | max | last_weighted | lasttoken (default: the folder's
                        sentence-transformers pooling config, else mean)
  --normalize           L2-normalise embeddings (default: as the folder says; --no-normalize turns it off)
  --max-length N        truncate texts to N tokens (default: the folder's max_seq_length, else the
                        tokenizer's model_max_length, at most max_position_embeddings)
  --query-prompt TEXT   put TEXT before queries / anchors, e.g. "query: " (default: the folder's
                        config_sentence_transformers.json prompts; "" for none)
  --document-prompt TEXT
                        put TEXT before documents / positives / negatives, e.g. "passage: "; both
                        sides of a scored pair get the query prompt`;

const BACKEND_FLAG = `  --backend NAME        wasm | cpu (default: ${DEFAULT_BACKEND}, several times faster than cpu)`;

const DATA_FLAGS = `  --record-type TYPE    auto | pair | triplet | scored_pair | group | class_pair | labelled_text | text
                        (default: auto, detected from column names and values, else from content)
  --columns MAP         field=column pairs, e.g. text=question,text_pos=answer or
                        sentence1=s1,sentence2=s2,label=score; a group's text_pos / text_neg may join
                        several columns with +, e.g. text_neg=negative_1+negative_2; fields not given
                        are detected
  --rename MAP          rename columns before mapping, old=new pairs, e.g.
                        question1=sentence1,question2=sentence2 (--columns then uses the new names)
                        Data files: .jsonl, .csv, .tsv (header optional); labels of scored pairs are
                        normalised to 0..1 from 0..1, 0..5, 0..10 or -1..1
                        Hub datasets: --data hf://datasets/OWNER/NAME reads the Hub's Parquet conversion
                        (else the repo's JSONL/CSV/TSV files); --eval-data takes ?config=NAME&split=NAME
  --data-config NAME    the Hub dataset's config (needed when it has several)
  --data-split NAME     the Hub dataset's split (default: train)
  --max-rows N          read at most N rows of the Hub dataset (default: 100000)
                        endpoint from HF_ENDPOINT (default https://huggingface.co), token from HF_TOKEN
  --no-cache            do not cache the Hub's answers on disk (default: cached in
                        $EMBEDDING_STUDIO_CACHE, else $XDG_CACHE_HOME/embedding-studio/hub, else
                        ~/.cache/embedding-studio/hub, so a second run works offline)`;

const EMBED_HELP = `Usage: ${PROGRAM} embed --model DIR --input FILE [flags]

Embeds each line of FILE (one text per line; empty lines are an error, a final newline is fine) and
prints one JSON array of numbers per line, in order, on stdout.

  --model DIR           model folder (config.json, model.safetensors, tokenizer.json; a
                        sentence-transformers folder also gives pooling, normalisation, max length)
  --input FILE          text file, one text per line
  --prompt ROLE         query | document | none: which prompt the texts get (default: the folder's
                        default_prompt_name, else none)
${HEAD_FLAGS}
  --batch-size N        texts per forward pass (default: ${DEFAULT_EMBED_BATCH})
${BACKEND_FLAG}

Example:
  ${PROGRAM} embed --model ./all-MiniLM-L6-v2 --input texts.txt --normalize > embeddings.jsonl`;

const EVAL_HELP = `Usage: ${PROGRAM} eval --model DIR --data FILE [flags]

Evaluates the model with the evaluators that fit the records: scored pairs → Pearson/Spearman of
cosine vs label (binary 0/1 labels: accuracy, F1, precision, recall and average precision at the best
threshold first); pairs → retrieval (anchors as queries, positives as corpus): accuracy/precision/
recall@k, MRR@10, NDCG@10, MAP@100; triplets → retrieval and triplet accuracy; groups → retrieval over
all positives and negatives (MRR@1/@10, Hit@1/@10, NDCG@10); labelled texts → triplet accuracy over
same/other-label triples. Prints the metrics as one flat JSON object on stdout, and the primary metric
on stderr.

  --model DIR           model folder
  --data FILE           evaluation data
${DATA_FLAGS}
  --corpus FILE         groups: more candidate texts, one per line, ranked with the positives and negatives
${HEAD_FLAGS}
  --batch-size N        texts per forward pass (default: ${DEFAULT_EMBED_BATCH})
${BACKEND_FLAG}

Example:
  ${PROGRAM} eval --model ./my-model --data sts-dev.csv`;

const TRAIN_HELP = `Usage: ${PROGRAM} train --model DIR --data FILE --out DIR [flags]

Fine-tunes the model and writes a sentence-transformers folder to --out (created if needed; files of
the same name are replaced all at once, or not at all if the write fails; --out may be the --model folder).
Before any work, --out is checked for write access and, once config.json is read, for room for the model. Progress goes to stderr; one JSON summary line to stdout:
{steps, final_loss, seconds, backend, loss, record_type, train_records, skipped_rows, out, loss_history,
 before?, after?, delta?, stopped?, checkpoint?, resumed_from?, best?, early_stopped?}. Ctrl-C stops after the current step, saves
(and writes a checkpoint with --checkpoint-dir), exits 130. A model this machine cannot train (estimated
from config.json at the batch size and the longest text) is refused before its weights are read.

Input and output:
  --model DIR           model folder to start from
  --data FILE           training data
  --out DIR             where the trained model is written, with a model card (README.md; its front
                        matter names a Hub --data as datasets:)
  --license ID          the card's license, e.g. apache-2.0, mit (default: the --model folder's
                        README.md license, else none)
${DATA_FLAGS}
  --eval-data FILE      validation data (any record type the evaluators take; detected)
  --val-split FRACTION  hold out this share of --data for validation instead, e.g. 0.1
                        With validation data the model is evaluated before and after training,
                        and at step 0, about 10 times during the run and at each epoch end.
  --early-stopping N    stop after N evaluations in a row without improvement of the primary metric
                        (needs validation data; default: 0 = off)
  --keep best|last      the weights --out holds: the best evaluation's (default with validation data;
                        the base model's when no step beat it) or the last step's
  --forgetting-threshold X
                        the forgetting guard: the model is scored on 64 bundled everyday sentence pairs
                        (Spearman) before and after training, with a warning when it drops by more than X
                        (default: 0.05)
  --no-forgetting-check skip that check
Loss:
  --loss NAME           auto | ${LOSS_NAMES.join(' | ')}
                        (default: auto = mnrl for pairs, triplets, groups and plain texts (SimCSE),
                        cosent for scored pairs, online-contrastive for 0/1 pairs, softmax for class
                        pairs, batch-all-triplet for labelled texts)
  --scale X             similarity scale of the mnrl losses, cosent and angle (default: 20; 50 is
                        FlagEmbedding's temperature 0.02)
  --temperature X       softmax temperature of uniem-triplet (0.05), gist (0.01), distill-kl (1)
  --margin X            margin of triplet and the batch triplet losses (5), contrastive and
                        online-contrastive (0.5), gist (0)
  --positive-margin X, --negative-margin X
                        mega-batch-margin's cosine margins (default: 0.8, 0.3)
  --group-size N        groups: one positive and N − 1 sampled negatives per query per epoch
                        (FlagEmbedding's train_group_size; default: every negative of the row)
  --matryoshka-dims D,D,…
                        also train these leading embedding widths (each re-normalised), e.g.
                        384,256,128,64; evaluation reports the primary metric at each
  --matryoshka-weights W,W,…
                        one weight per width (default: 1 each)
Schedule and optimiser (AdamW, linear warmup then linear decay):
  --epochs N            passes over the data (default: 1)
  --steps N             optimiser steps instead of epochs; also sets the schedule's length
  --batch-size N        records per batch (default: ${D.batchSize}); in-batch negatives come from it;
                        auto = the largest power of two (≤ 256, ≤ the records) the memory estimate allows,
                        halved and retried from the start on an out-of-memory error (up to 3 times)
  --grad-accum N        batches summed into one optimiser step (default: ${D.gradAccumSteps})
  --mini-batch N        GradCache: embed at most N texts per forward pass, so memory follows N, not the
                        batch (same loss and gradients, ~1 extra forward pass; 0 = off, default: ${D.miniBatchSize});
                        auto = the largest power of two the memory estimate allows
  --lr X                peak learning rate (default: by model size, uniem's rule: ≤ 80M parameters 1e-4,
                        ≤ 200M 5e-5, larger 8e-6; printed with its reason)
  --warmup-steps N      warmup in steps, or
  --warmup-ratio X      warmup as a share of the run (default: 0.1)
  --weight-decay X      decoupled weight decay, not on biases and LayerNorm (default: ${D.weightDecay})
  --max-grad-norm X     clip the global gradient norm; 0 = off (default: ${D.maxGradNorm})
  --dropout X           dropout rate while training (default: the model config's rates)
  --seed N              shuffling seed (default: ${D.seed})
  --no-shuffle          batch i = rows i·B … i·B+B−1 in file order (default: shuffled; without
                        duplicate texts in a batch for mnrl and uniem-triplet)
Which parameters train:
  --strategy NAME       full | bitfit (biases only) (default: full)
  --freeze-embeddings   keep the embedding tables and their LayerNorm fixed
  --freeze-layers K     keep transformer layers 0..K-1 fixed (default: 0)
Checkpoints (weights, optimizer state, step and loss history; resuming continues the same run exactly):
  --checkpoint-dir DIR  keep a checkpoint in DIR/${CHECKPOINT_FILE}, replaced atomically every
                        --checkpoint-every steps, at each epoch end and on Ctrl-C
  --checkpoint-every N  steps between checkpoints (default: ${DEFAULT_CHECKPOINT_EVERY})
  --resume              continue the run saved in --checkpoint-dir (same --data and training flags)
Model head (saved with the model):
${HEAD_FLAGS}
Other:
  --log-every N         a progress line every N steps (default: about 20 lines a run)
${BACKEND_FLAG}

Examples:
  ${PROGRAM} train --model ./bert-base --data pairs.jsonl --out ./bert-pairs --epochs 1 --val-split 0.05
  ${PROGRAM} train --model ./bert-base --data sts-train.csv --eval-data sts-dev.csv --out ./bert-sts \\
    --loss cosent --lr 2e-5 --batch-size 16 --epochs 4
  ${PROGRAM} train --model ./bert-base --data pairs.jsonl --out ./bert-pairs --checkpoint-dir ./ckpt
  ${PROGRAM} train --model ./bert-base --data pairs.jsonl --out ./bert-pairs --checkpoint-dir ./ckpt --resume`;

const PUSH_HELP = `Usage: ${PROGRAM} push <model-folder> --repo NAME [flags]

Uploads a model folder (what 'train' or the studio's export wrote: the sentence-transformers files,
onnx/model.onnx when present, README.md) to the Hugging Face Hub as one commit; large files go
through the Hub's LFS storage. Prints the model's URL on stdout.

  --repo NAME           owner/name, or name alone for the token owner's namespace
  --private             create the repository private (default: public)
  --license ID          set the card's license, e.g. apache-2.0, mit (default: what README.md says)
  --update              commit to the repository when it already exists and is yours (default: refuse)
  --endpoint URL        the Hub (default: HF_ENDPOINT, else https://huggingface.co)

The access token is read from the HF_TOKEN environment variable only (a token with the "write"
role, from huggingface.co/settings/tokens); it is never printed. Ctrl-C cancels before the commit.

Example:
  HF_TOKEN=hf_… ${PROGRAM} push ./bert-pairs --repo bert-pairs --license apache-2.0`;

const MINE_HELP = `Usage: ${PROGRAM} mine --model DIR --data FILE --out FILE [flags]

Mines hard negatives for each query of a pair dataset (triplets and groups count as pairs of their
anchor and each positive) with a model folder — the base model, or one 'train' wrote — and writes one
group row per query, {"query", "pos", "neg", "pos_scores", "neg_scores"} (cosine scores of the
mining model), as JSONL, atomically; 'train --data' reads it back as groups.

  --range FROM-TO       sample from the candidates ranked FROM..TO−1 (0-based; FlagEmbedding's
                        range_for_sampling; default: 10-210); the query's positives and the query
                        itself never count; when short, the rest are drawn from the whole pool
  --negatives N         negatives per query (default: 15)
  --absolute-margin X   drop a candidate when score + X > the query's lowest positive score
  --relative-margin X   drop a candidate when score > pos − |pos| · X (0..1)
  --max-score X         drop a candidate scoring above X
                        (the three after sentence-transformers' mine_hard_negatives; a dropped
                        candidate is never used, so a query may get fewer than N)
  --seed N              sampling seed (default: 0)
  --candidates FILE     the pool, one text per line (default: every distinct positive)
  --batch-size N        texts per forward pass (default: ${DEFAULT_EMBED_BATCH})
  --record-type, --columns, --rename, --data-config, --data-split, --max-rows, --no-cache
                        as for train (--data may be hf://datasets/OWNER/NAME)
${BACKEND_FLAG}

Example:
  ${PROGRAM} mine --model ./bert-base --data pairs.jsonl --out mined.jsonl --range 10-210 --negatives 15 --relative-margin 0.05`;

export const COMMAND_HELP: Record<string, string> = { embed: EMBED_HELP, train: TRAIN_HELP, eval: EVAL_HELP, mine: MINE_HELP, push: PUSH_HELP };
