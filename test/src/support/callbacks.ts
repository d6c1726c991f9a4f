/** The body kie.ai posts when a task succeeds; tests forge and sign it as they need. */
export function successBody(providerTaskId: string, characterId = 'char_forged'): string {
  return JSON.stringify({
    code: 200,
    msg: 'Playground task completed successfully.',
    data: {
      taskId: providerTaskId,
      model: 'sora-2-characters',
      state: 'success',
      resultJson: JSON.stringify({ character_id: characterId }),
      failCode: '',
      failMsg: '',
    },
  });
}
