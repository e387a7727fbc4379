"""WeChat's message signatures and "safe mode" encryption, as its sample code and wechatpy do them.

Signatures are SHA-1 over the sorted, concatenated strings. Safe mode encrypts each message with
AES-256-CBC: the key is the base64 EncodingAESKey (43 characters, "=" appended), the IV its first
16 bytes, the padding PKCS#7 to 32-byte blocks, and the plaintext 16 random bytes, the message's
length (4 bytes, network order), the message, and the app id it is meant for.

pyaes (pure Python, 0.2 MB) does the AES: wechatpy's crypto needs `cryptography` or
`pycryptodome`, each about 16 MB installed, which the Lambda package cannot spare.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import struct

import pyaes

from socialcare.webhook import BadSignature

BLOCK = 32  # WeChat pads to 32 bytes, not AES's 16


def signature(*values: str) -> str:
    return hashlib.sha1("".join(sorted(values)).encode()).hexdigest()  # noqa: S324 (WeChat's)


class WeChatCrypto:
    def __init__(self, encoding_aes_key: str, app_id: str) -> None:
        try:
            self._key = base64.b64decode(encoding_aes_key + "=", validate=True)
        except binascii.Error:
            raise ValueError("WECHAT_ENCODING_AES_KEY is not 43 base64 characters") from None
        if len(self._key) != 32:
            raise ValueError("WECHAT_ENCODING_AES_KEY does not decode to 32 bytes")
        self._app_id = app_id.encode()

    def decrypt(self, encrypted: str) -> bytes:
        """The message inside an <Encrypt> value; BadSignature if it is not for our app."""
        try:
            raw = base64.b64decode(encrypted, validate=True)
        except binascii.Error:
            raise BadSignature("Encrypt is not base64") from None
        if not raw or len(raw) % 16:
            raise BadSignature("Encrypt is not whole AES blocks")
        plain = self._cipher(pyaes.Decrypter, raw)
        pad = plain[-1]
        if not 1 <= pad <= BLOCK or len(plain) < 20 + pad:
            raise BadSignature("Encrypt does not decrypt with our key")
        content = plain[16:-pad]
        (length,) = struct.unpack(">I", content[:4])
        message, app_id = content[4 : 4 + length], content[4 + length :]
        if app_id != self._app_id:
            raise BadSignature("Encrypt is meant for another app")
        return message

    def encrypt(self, message: bytes, nonce16: bytes) -> str:
        """What WeChat sends for `message` (the demo and the tests play WeChat with it)."""
        content = nonce16 + struct.pack(">I", len(message)) + message + self._app_id
        pad = BLOCK - len(content) % BLOCK
        return base64.b64encode(
            self._cipher(pyaes.Encrypter, content + bytes([pad]) * pad)
        ).decode()

    def _cipher(self, kind: type, data: bytes) -> bytes:
        mode = pyaes.AESModeOfOperationCBC(self._key, iv=self._key[:16])
        worker = kind(mode, padding=pyaes.PADDING_NONE)
        return bytes(worker.feed(data) + worker.feed())
