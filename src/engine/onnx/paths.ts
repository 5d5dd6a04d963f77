/** Where `exportOnnx`'s file goes in a model folder (transformers.js looks there). Dependency-free, for the page. */
export const ONNX_MODEL_PATH = 'onnx/model.onnx';
