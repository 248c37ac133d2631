//! secp256k1 sender recovery: the range rules Ethereum puts on `(r, s)` and the call into k256.

use primitive_types::{H160, U256};
use sha3::{Digest, Keccak256};

use crate::tx::{InvalidTransaction, Signature, Transaction, TxType};

/// Order `n` of the secp256k1 group.
pub(crate) const SECP256K1_N: U256 = U256([
    0xBFD2_5E8C_D036_4141,
    0xBAAE_DCE6_AF48_A03B,
    0xFFFF_FFFF_FFFF_FFFE,
    0xFFFF_FFFF_FFFF_FFFF,
]);

/// `n / 2`: the largest `s` EIP-2 (Homestead) allows, so that `(r, s)` and `(r, n - s)` cannot
/// both be valid and the transaction hash is not malleable.
pub(crate) const SECP256K1_HALF_N: U256 = U256([
    0xDFE9_2F46_681B_20A0,
    0x5D57_6E73_57A4_501D,
    0xFFFF_FFFF_FFFF_FFFF,
    0x7FFF_FFFF_FFFF_FFFF,
]);

/// Recovers the address that signed `prehash`.
///
/// `r` and `s` must lie in `[1, n)`; with `low_s` (EIP-2, from Homestead on) `s` must also be at
/// most `n / 2`. Before Homestead a high `s` is legal; k256 only verifies low-`s` signatures, so
/// the signature is normalised to `(r, n - s)` with the y parity flipped, which recovers the
/// same key.
pub(crate) fn recover_address(
    prehash: &[u8; 32],
    r: U256,
    s: U256,
    odd_y_parity: bool,
    low_s: bool,
) -> Result<H160, InvalidTransaction> {
    if r.is_zero() || r >= SECP256K1_N {
        return Err(InvalidTransaction::InvalidSignature("r is not in [1, n)"));
    }
    if s.is_zero() || s >= SECP256K1_N {
        return Err(InvalidTransaction::InvalidSignature("s is not in [1, n)"));
    }
    if low_s && s > SECP256K1_HALF_N {
        return Err(InvalidTransaction::InvalidSignature(
            "s is above n/2 (EIP-2)",
        ));
    }
    let (s, odd_y_parity) = if s > SECP256K1_HALF_N {
        // `s < n` was checked above, so this cannot underflow.
        (SECP256K1_N - s, !odd_y_parity)
    } else {
        (s, odd_y_parity)
    };

    let mut rs = [0u8; 64];
    r.to_big_endian(&mut rs[..32]);
    s.to_big_endian(&mut rs[32..]);
    let signature = k256::ecdsa::Signature::from_slice(&rs)
        .map_err(|_| InvalidTransaction::InvalidSignature("r or s is not a valid scalar"))?;
    // Ethereum's v never encodes an x coordinate reduced modulo n.
    let recovery_id = k256::ecdsa::RecoveryId::new(odd_y_parity, false);
    let key = k256::ecdsa::VerifyingKey::recover_from_prehash(prehash, &signature, recovery_id)
        .map_err(|_| InvalidTransaction::InvalidSignature("public key recovery failed"))?;
    Ok(address_of_key(&key))
}

/// The address of a secp256k1 secret key: the last 20 bytes of `keccak256(x || y)`.
pub fn address_of_secret_key(secret: &[u8; 32]) -> Result<H160, InvalidTransaction> {
    let key = signing_key(secret)?;
    Ok(address_of_key(key.verifying_key()))
}

fn signing_key(secret: &[u8; 32]) -> Result<k256::ecdsa::SigningKey, InvalidTransaction> {
    k256::ecdsa::SigningKey::from_slice(secret)
        .map_err(|_| InvalidTransaction::InvalidSignature("not a secp256k1 secret key"))
}

fn address_of_key(key: &k256::ecdsa::VerifyingKey) -> H160 {
    let point = key.to_encoded_point(false);
    // An uncompressed SEC1 point of a valid key is always 0x04 followed by the 64 bytes of x
    // and y, so the slice cannot fail.
    let hash = Keccak256::digest(&point.as_bytes()[1..]);
    H160::from_slice(&hash[12..])
}

impl Transaction {
    /// Signs the transaction with `secret` (RFC 6979 deterministic nonces, low `s`), setting
    /// `v` as its type needs: the y parity for typed transactions, `35 + 2 * chain_id + parity`
    /// for a replay-protected legacy one, `27 + parity` for an unprotected one. Returns the
    /// sender. For tools that make blocks (the example chain, benchmarks), not for keys that
    /// guard value: the signing is not constant-time audited here.
    pub fn sign(&mut self, secret: &[u8; 32]) -> Result<H160, InvalidTransaction> {
        let key = signing_key(secret)?;
        let (signature, recovery_id) = key
            .sign_prehash_recoverable(self.signing_hash().as_bytes())
            .map_err(|_| InvalidTransaction::InvalidSignature("signing failed"))?;
        let parity = u64::from(recovery_id.is_y_odd());
        let v = match (self.tx_type, self.chain_id) {
            (TxType::Legacy, Some(chain_id)) => U256::from(chain_id)
                .saturating_mul(U256::from(2))
                .saturating_add(U256::from(35 + parity)),
            (TxType::Legacy, None) => U256::from(27 + parity),
            _ => U256::from(parity),
        };
        self.signature = Signature {
            v,
            r: U256::from_big_endian(&signature.r().to_bytes()),
            s: U256::from_big_endian(&signature.s().to_bytes()),
        };
        Ok(address_of_key(key.verifying_key()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn half_order_is_half_the_order() {
        assert_eq!(SECP256K1_HALF_N * 2 + 1, SECP256K1_N);
    }

    #[test]
    fn range_rules() {
        let hash = [1u8; 32];
        let one = U256::one();
        assert!(matches!(
            recover_address(&hash, U256::zero(), one, false, true),
            Err(InvalidTransaction::InvalidSignature(_))
        ));
        assert!(matches!(
            recover_address(&hash, one, SECP256K1_N, false, false),
            Err(InvalidTransaction::InvalidSignature(_))
        ));
        assert!(matches!(
            recover_address(&hash, one, SECP256K1_HALF_N + 1, false, true),
            Err(InvalidTransaction::InvalidSignature(_))
        ));
    }

    #[test]
    fn high_s_recovers_the_same_key_before_homestead() {
        use k256::ecdsa::SigningKey;
        let key = SigningKey::from_slice(&[7u8; 32]).unwrap();
        let prehash = [9u8; 32];
        let (sig, recid) = key.sign_prehash_recoverable(&prehash).unwrap();
        let r = U256::from_big_endian(&sig.r().to_bytes());
        let s = U256::from_big_endian(&sig.s().to_bytes());
        let low = recover_address(&prehash, r, s, recid.is_y_odd(), true).unwrap();
        let high = recover_address(&prehash, r, SECP256K1_N - s, !recid.is_y_odd(), false);
        assert_eq!(high, Ok(low));
        assert!(recover_address(&prehash, r, SECP256K1_N - s, !recid.is_y_odd(), true).is_err());
    }
}
