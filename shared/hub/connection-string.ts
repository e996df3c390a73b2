/** What a task may say about a service connection string (the policy name) and what it must mask (the key). */
export function connectionStringFacts(cs: string): { sharedAccessKey?: string; policy: string } {
  return {
    sharedAccessKey: /SharedAccessKey=([^;]+)/i.exec(cs)?.[1],
    policy: /SharedAccessKeyName=([^;]+)/i.exec(cs)?.[1] ?? '?',
  };
}
