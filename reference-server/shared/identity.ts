/** Who a verified token names (assa.D9, D10): `sub` is the user id, `nickname` the display name. */
export interface Identity {
  userId: number;
  nickname: string;
  profileImage: string | null;
}

export function identityFromClaims(claims: Record<string, unknown>): Identity | undefined {
  const sub = claims.sub;
  let userId: number;
  if (typeof sub === 'number') userId = sub;
  else if (typeof sub === 'string' && /^[1-9]\d{0,15}$/.test(sub)) userId = Number(sub);
  else return undefined;
  if (!Number.isSafeInteger(userId) || userId <= 0) return undefined;
  const nickname = typeof claims.nickname === 'string' && claims.nickname !== '' ? claims.nickname : `user${userId}`;
  const profileImage = typeof claims.profile_image === 'string' ? claims.profile_image : null;
  return { userId, nickname, profileImage };
}
