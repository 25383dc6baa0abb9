using System.Security.Cryptography;
using System.Text;

namespace Imago.Core.Accounts;

/// <summary>
/// Encrypts AccessKey secrets for the database with AES-256-GCM under the <see cref="MasterKey"/>. Signature
/// checks need the secret in clear (HMAC), so it cannot be hashed. The AccessKeyId is the associated data:
/// a ciphertext copied onto another key's row does not decrypt.
/// Layout: version (1) | nonce (12) | ciphertext | tag (16).
/// </summary>
public sealed class SecretProtector(MasterKey masterKey)
{
    private const byte FormatVersion = 1;
    private const int NonceSize = 12;
    private const int TagSize = 16;

    public byte[] Protect(string secret, string accessKeyId)
    {
        var plaintext = Encoding.UTF8.GetBytes(secret);
        var blob = new byte[1 + NonceSize + plaintext.Length + TagSize];
        blob[0] = FormatVersion;
        var nonce = blob.AsSpan(1, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(masterKey.Bytes, TagSize);
        aes.Encrypt(nonce, plaintext, blob.AsSpan(1 + NonceSize, plaintext.Length), blob.AsSpan(blob.Length - TagSize), Encoding.UTF8.GetBytes(accessKeyId));
        CryptographicOperations.ZeroMemory(plaintext);
        return blob;
    }

    /// <summary>The secret, or <see cref="CryptographicException"/> when the blob was not written under this master key for this key id.</summary>
    public string Unprotect(byte[] blob, string accessKeyId)
    {
        if (blob.Length < 1 + NonceSize + TagSize || blob[0] != FormatVersion)
        {
            throw new CryptographicException($"the stored secret of {accessKeyId} is not in a known format");
        }

        var plaintext = new byte[blob.Length - 1 - NonceSize - TagSize];
        using var aes = new AesGcm(masterKey.Bytes, TagSize);
        aes.Decrypt(blob.AsSpan(1, NonceSize), blob.AsSpan(1 + NonceSize, plaintext.Length), blob.AsSpan(blob.Length - TagSize), plaintext, Encoding.UTF8.GetBytes(accessKeyId));
        return Encoding.UTF8.GetString(plaintext);
    }
}
