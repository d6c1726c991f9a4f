/** A task's state as kie.ai spells it. */
export const providerTaskStates = ['waiting', 'queuing', 'generating', 'success', 'fail'] as const;
export type ProviderTaskState = (typeof providerTaskStates)[number];

/** What recordInfo (and a completion callback) says about one task. */
export interface TaskRecord {
  taskId: string;
  model: string;
  state: ProviderTaskState;
  /** The createTask body, as the JSON string the provider keeps. */
  param: string | null;
  /** A JSON string; parse it with the model's `parseResult`. */
  resultJson: string | null;
  failCode: string | null;
  failMsg: string | null;
  createTime: number | null;
  updateTime: number | null;
  completeTime: number | null;
}

export interface CreateTaskRequest {
  model: string;
  input: Record<string, unknown>;
  /** Where the provider posts the completion callback; omitted when the gateway has no public URL. */
  callBackUrl?: string;
}

/** A file for the File Upload API's stream upload. */
export interface UploadFileRequest {
  /** The content; a Blob from `fs.openAsBlob` is streamed from disk, never read whole. */
  data: Blob | Uint8Array<ArrayBuffer>;
  /** The stored name; uploading the same name again into the same folder overwrites the file. */
  fileName: string;
  /** The folder to store the file in, such as `characters`. */
  uploadPath: string;
  /** Sent as the part's content type; without it the file is sent as `application/octet-stream`. */
  mimeType?: string;
}

/** What the File Upload API answers for a stored file. Uploads live about 24 hours (observed). */
export interface UploadedFile {
  fileName: string;
  filePath: string;
  /** The public URL to pass as the video URL of a task. */
  downloadUrl: string;
  fileSize: number;
  mimeType: string;
  /** An ISO 8601 timestamp. */
  uploadedAt: string;
}
