//! KZG point evaluation (0x0a, EIP-4844): checks that the blob committed to by `commitment`
//! evaluates to `y` at `z`, with `proof`, against the trusted setup's `[tau] G2`.

use alloc::vec::Vec;

use crate::bls12_381::{
    ORDER, g1_from_compressed, g1_generator, g2_generator, pairing_product_is_one, tau_g2,
};
use crate::field::limbs_from_be;
use crate::hash::sha256::sha256;
use crate::precompile::{CallResult, Failure, Output};

/// EIP-4844's price.
pub const GAS: u64 = 50_000;

/// `FIELD_ELEMENTS_PER_BLOB ‖ BLS_MODULUS`, 32 bytes big-endian each: the success output.
fn return_value() -> Vec<u8> {
    let mut out = alloc::vec![0u8; 64];
    out[30] = 0x10;
    crate::field::limbs_to_be(&ORDER, &mut out[32..]);
    out
}

/// A 32-byte big-endian field element, as scalar limbs below the group order.
fn scalar(bytes: &[u8]) -> Result<[u64; 4], Failure> {
    let limbs: [u64; 4] = limbs_from_be(bytes);
    if crate::field::below(&limbs, &ORDER) {
        Ok(limbs)
    } else {
        Err(Failure::InvalidInput(
            "point evaluation: field element not below BLS_MODULUS",
        ))
    }
}

/// Input `versioned_hash(32) ‖ z(32) ‖ y(32) ‖ commitment(48) ‖ proof(48)`.
pub fn run(input: &[u8], gas_limit: u64) -> CallResult {
    if GAS > gas_limit {
        return Err(Failure::OutOfGas { needed: GAS });
    }
    let input: &[u8; 192] = input
        .try_into()
        .map_err(|_| Failure::InvalidInput("point evaluation: input must be 192 bytes"))?;
    let mut commitment = [0u8; 48];
    commitment.copy_from_slice(&input[96..144]);
    let mut proof = [0u8; 48];
    proof.copy_from_slice(&input[144..192]);
    let mut versioned = sha256(&commitment);
    versioned[0] = 0x01;
    if input[..32] != versioned {
        return Err(Failure::InvalidInput(
            "point evaluation: versioned hash does not match the commitment",
        ));
    }
    let z = scalar(&input[32..64])?;
    let y = scalar(&input[64..96])?;
    let invalid = |why| Failure::InvalidInput(why);
    let commitment = g1_from_compressed(&commitment).map_err(invalid)?;
    let proof = g1_from_compressed(&proof).map_err(invalid)?;
    // e(C - [y] G1, -G2) e(proof, [tau] G2 - [z] G2) = 1.
    let jacobian = |p: Option<crate::curve::Affine<_>>| {
        p.map_or(crate::curve::Jacobian::INFINITY, |p| p.to_jacobian())
    };
    let c_minus_y = jacobian(commitment).add(&g1_generator().mul(&y).neg());
    let tau_minus_z = tau_g2().add(&g2_generator().mul(&z).neg());
    let pairs = [
        (c_minus_y, g2_generator().neg()),
        (jacobian(proof), tau_minus_z),
    ];
    if !pairing_product_is_one(&pairs) {
        return Err(Failure::InvalidInput(
            "point evaluation: the KZG proof does not verify",
        ));
    }
    Ok(Output {
        gas_used: GAS,
        bytes: return_value(),
    })
}
