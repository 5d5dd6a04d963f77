/** ONNX export of the BERT encoder (for transformers.js / onnxruntime). */
export { exportOnnx, onnxSignature, ONNX_MODEL_PATH } from './bertGraph';
export { addOnnxToFolder } from './folder';
export { decodeModel, IR_VERSION, OPSET_VERSION } from './onnxProto';
