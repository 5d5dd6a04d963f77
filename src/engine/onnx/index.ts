/** ONNX export of the encoder (for transformers.js / onnxruntime); each family builds its graph (architectures/<family>/onnx.ts). */
export { ONNX_MODEL_PATH } from './paths';
export { addOnnxToFolder, exportOnnx } from './folder';
export { decodeModel, IR_VERSION, OPSET_VERSION } from './onnxProto';
