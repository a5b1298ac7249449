// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";

import {IHarvester} from "../../contracts/interfaces/IHarvester.sol";
import {IOrderBook} from "../../contracts/interfaces/IOrderBook.sol";
import {IQualityLedger} from "../../contracts/interfaces/IQualityLedger.sol";
import {IStage} from "../../contracts/interfaces/IStage.sol";
import {QualityLedgerInterface as QualityLedger} from "./utils/Contracts.sol";
import {Freshness} from "../../contracts/libraries/Freshness.sol";
import {LotFlags} from "../../contracts/libraries/LotFlags.sol";
import {Roles} from "../../contracts/libraries/Roles.sol";
import {FishTraceTest} from "./utils/FishTraceTest.sol";
import {Vm} from "./utils/Vm.sol";

/// @notice The quality ledger: device-signed QAT scans (EIP-712) checked for species and freshness, and
/// Merkle-anchored cold-chain sensor batches.
/// @dev Security first (signatures, devices, custody, sensor trees, wiring), then behaviour (inspections, species,
/// freshness, sensor batches, batches of scans), then fuzzing. Every signature here is made over a digest the test
/// computes itself from `eip712Domain()`, never over `readingDigest`, so every accepted scan also checks that the
/// ledger hashes readings as EIP-712 says.
/// The freshness numbers follow the default rule (`_defaultRule()`): k = 0.50 grade/day at 0 °C, Tmin = −10 °C,
/// 4 °C assumed for time no sensor batch covers, margin 1.00 grade, uncertainty 2.00 grades, Torry scale 0-10.
contract QualityLedgerTest is FishTraceTest {
    // ------------------------------------------------------------------ constants

    /// @dev The order of secp256k1's group.
    uint256 private constant SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141;

    /// @dev Device keys. QAT devices: two of harvester1's, one each of harvester2, supplier1 and the regulator.
    uint256 private constant QAT1_KEY = uint256(keccak256("qat1"));
    uint256 private constant QAT1B_KEY = uint256(keccak256("qat1b"));
    uint256 private constant QAT2_KEY = uint256(keccak256("qat2"));
    uint256 private constant QAT_SUPPLIER_KEY = uint256(keccak256("qatSupplier"));
    uint256 private constant QAT_REGULATOR_KEY = uint256(keccak256("qatRegulator"));
    /// @dev A key no registry ever heard of.
    uint256 private constant UNKNOWN_KEY = uint256(keccak256("never registered"));

    uint40 private constant GRAMS = 5_000;
    uint8 private constant SPECIES_CONFIDENCE = 97;
    uint8 private constant FULL_CONFIDENCE = 100;

    /// @dev The default rule's numbers. RRS(T) = ((T − Tmin) / −Tmin)² in parts per million: RRS(4 °C) = 1.4² = 1.96,
    /// RRS(12 °C) = 2.2² = 4.84; one day at those temperatures is 1.96 and 4.84 days at 0 °C.
    uint256 private constant RRS_4C = 1_960_000;
    uint256 private constant RRS_12C = 4_840_000;
    uint256 private constant T0_DAY_AT_4C = 169_344; // 86,400 · 1.96
    uint256 private constant T0_DAY_AT_12C = 418_176; // 86,400 · 4.84
    /// @dev Allowed drops in hundredths of a grade at full confidence: 0.50 · t0/day + 1.00.
    uint256 private constant ALLOWED_DAY_AT_4C = 198; // 98 + 100
    uint256 private constant ALLOWED_DAY_AT_12C = 342; // 242 + 100

    // ------------------------------------------------------------------ fixture

    address private qat1;
    address private qat1b;
    address private qat2;
    address private qatSupplier;
    address private qatRegulator;
    address private gateway1;
    address private gateway2;
    address private gatewayRegulator;

    /// @dev The next reading id the helpers hand out.
    uint64 private _readingNo = 1;

    function setUp() public {
        _deployWithParticipants();
        _registerDevices();
    }

    /// @dev Registers the devices in the current deployment's registry.
    function _registerDevices() private {
        qat1 = _qatDevice(QAT1_KEY, harvester1, "qat1");
        qat1b = _qatDevice(QAT1B_KEY, harvester1, "qat1b");
        qat2 = _qatDevice(QAT2_KEY, harvester2, "qat2");
        qatSupplier = _qatDevice(QAT_SUPPLIER_KEY, supplier1, "qatSupplier");
        qatRegulator = _qatDevice(QAT_REGULATOR_KEY, regulator, "qatRegulator");
        gateway1 = _gateway("gateway1", harvester1);
        gateway2 = _gateway("gateway2", harvester2);
        gatewayRegulator = _gateway("gatewayRegulator", regulator);
    }

    function _qatDevice(uint256 key, address operator, string memory name) private returns (address device) {
        device = vm.addr(key);
        vm.label(device, name);
        vm.prank(admin);
        registry.registerDevice(device, Roles.QAT_DEVICE, operator);
    }

    function _gateway(string memory name, address operator) private returns (address gateway) {
        gateway = makeAddr(name);
        vm.prank(admin);
        registry.registerDevice(gateway, Roles.SENSOR_GATEWAY, operator);
    }

    // ================================================================== security: the signed digest

    /// @dev The ledger's digest is the EIP-712 digest of the reading under the domain it publishes (ERC-5267).
    function test_readingDigest_MatchesIndependentEip712Digest() public view {
        (
            bytes1 fields,
            string memory name,
            string memory version,
            uint256 chainId,
            address verifyingContract,
            bytes32 salt,
            uint256[] memory extensions
        ) = ledger.eip712Domain();
        assertEq(uint256(uint8(fields)), 0x0f, "name, version, chainId, verifyingContract");
        assertEq(name, "FishTrace", "name");
        assertEq(version, "1", "version");
        assertEq(chainId, block.chainid, "chain id");
        assertEq(verifyingContract, address(ledger), "verifying contract");
        assertEq(salt, bytes32(0), "no salt");
        assertEq(extensions.length, 0, "no extensions");

        IQualityLedger.QatReading memory r = IQualityLedger.QatReading({
            readingId: 7,
            lotId: 42,
            species: COD,
            speciesConfidence: 88,
            grade: 9,
            gradeConfidence: 76,
            scannedAt: uint40(START),
            device: qat1
        });
        bytes32 expected = _digest(ledger, r);
        assertEq(ledger.readingDigest(r), expected, "readingDigest");
        (uint8 v, bytes32 rr, bytes32 ss) = vm.sign(QAT1_KEY, expected);
        assertEq(ecrecover(ledger.readingDigest(r), v, rr, ss), qat1, "the device's signature recovers the device");
    }

    // ------------------------------------------------------------------ replays

    function test_submitScan_RevertWhen_ReplayedOnSameChain() public {
        (IQualityLedger.QatReading memory r, bytes memory sig) = _signedReading();
        ledger.submitScan(1, r, sig);
        assertTrue(ledger.isAccepted(qat1, r.readingId), "accepted");

        vm.expectRevert(abi.encodeWithSelector(IQualityLedger.QatReadingAlreadyAccepted.selector, qat1, r.readingId));
        vm.prank(stranger);
        ledger.submitScan(1, r, sig);

        // A new reading re-using the id is refused too, however validly signed.
        IQualityLedger.QatReading memory again = _copy(r);
        again.grade = 8;
        bytes memory againSig = _sign(QAT1_KEY, again);
        vm.expectRevert(abi.encodeWithSelector(IQualityLedger.QatReadingAlreadyAccepted.selector, qat1, r.readingId));
        ledger.submitScan(1, again, againSig);
        assertEq(ledger.qualityOf(r.lotId).scans, 1, "recorded once");
    }

    function test_submitScans_SkipsReplayedReading() public {
        (IQualityLedger.QatReading memory r, bytes memory sig) = _signedReading();
        ledger.submitScan(1, r, sig);

        IQualityLedger.SignedReading[] memory batch = new IQualityLedger.SignedReading[](1);
        batch[0] = IQualityLedger.SignedReading(r, sig);
        vm.recordLogs();
        vm.prank(stranger);
        uint256 accepted = ledger.submitScans(1, batch);
        assertEq(accepted, 0, "nothing accepted");
        assertEq(vm.getRecordedLogs().length, 0, "nothing emitted");
        assertEq(ledger.qualityOf(r.lotId).scans, 1, "recorded once");

        // The same reading twice in one fresh batch counts once.
        (IQualityLedger.QatReading memory r2, bytes memory sig2) = _signedReading();
        batch = new IQualityLedger.SignedReading[](2);
        batch[0] = IQualityLedger.SignedReading(r2, sig2);
        batch[1] = IQualityLedger.SignedReading(r2, sig2);
        assertEq(ledger.submitScans(1, batch), 1, "duplicate skipped");
    }

    function test_submitScan_RevertWhen_SignatureFromAnotherChain() public {
        (IQualityLedger.QatReading memory r, bytes memory sig) = _signedReading();
        bytes32 here = ledger.readingDigest(r);

        vm.chainId(11_155_111);
        (, , , uint256 chainId, , , ) = ledger.eip712Domain();
        assertEq(chainId, 11_155_111, "domain follows the chain");
        bytes32 there = ledger.readingDigest(r);
        assertTrue(there != here, "the digest differs");

        address signer = _recovered(ledger, r, sig);
        assertTrue(signer != qat1, "recovers someone else");
        vm.expectRevert(abi.encodeWithSelector(IQualityLedger.QatWrongSigner.selector, r.readingId, qat1, signer));
        ledger.submitScan(1, r, sig);

        // Signed for this chain, the same reading goes through.
        ledger.submitScan(1, r, _sign(QAT1_KEY, r));
        assertTrue(ledger.isAccepted(qat1, r.readingId), "accepted");
    }

    /// @dev A second deployment identical in every respect (same admin, actors, device key, lot id, reading id):
    /// only the verifying contract differs, and that is enough.
    function test_submitScan_RevertWhen_SignatureFromAnotherDeployment() public {
        (IQualityLedger.QatReading memory r, bytes memory sig) = _signedReading();
        QualityLedger first = ledger;

        _deployWithParticipants();
        _registerDevices();
        uint256 twin = _registerLot(harvester1, COD, GRAMS);
        assertEq(twin, r.lotId, "the same lot id exists there");
        assertTrue(address(ledger) != address(first), "another ledger");

        address signer = _recovered(ledger, r, sig);
        assertTrue(signer != qat1, "recovers someone else");
        vm.expectRevert(abi.encodeWithSelector(IQualityLedger.QatWrongSigner.selector, r.readingId, qat1, signer));
        ledger.submitScan(1, r, sig);

        // Each ledger accepts the reading signed for it.
        ledger.submitScan(1, r, _sign(QAT1_KEY, r));
        first.submitScan(1, r, sig);
        assertTrue(ledger.isAccepted(qat1, r.readingId) && first.isAccepted(qat1, r.readingId), "both accepted");
    }

    // ------------------------------------------------------------------ tampered fields

    function test_submitScan_RevertWhen_ReadingIdTampered() public {
        (IQualityLedger.QatReading memory r, bytes memory sig) = _signedReading();
        IQualityLedger.QatReading memory tampered = _copy(r);
        tampered.readingId += 1;
        _assertTamperedRejected(r, tampered, sig);
    }

    /// @dev Pointed at another lot the same harvester holds, which the device could legitimately scan.
    function test_submitScan_RevertWhen_LotIdTampered() public {
        (IQualityLedger.QatReading memory r, bytes memory sig) = _signedReading();
        IQualityLedger.QatReading memory tampered = _copy(r);
        tampered.lotId = _registerLot(harvester1, COD, GRAMS);
        _assertTamperedRejected(r, tampered, sig);
    }

    function test_submitScan_RevertWhen_SpeciesTampered() public {
        (IQualityLedger.QatReading memory r, bytes memory sig) = _signedReading();
        IQualityLedger.QatReading memory tampered = _copy(r);
        tampered.species = HER;
        _assertTamperedRejected(r, tampered, sig);
    }

    function test_submitScan_RevertWhen_SpeciesConfidenceTampered() public {
        (IQualityLedger.QatReading memory r, bytes memory sig) = _signedReading();
        IQualityLedger.QatReading memory tampered = _copy(r);
        tampered.speciesConfidence = 50;
        _assertTamperedRejected(r, tampered, sig);
    }

    function test_submitScan_RevertWhen_GradeTampered() public {
        (IQualityLedger.QatReading memory r, bytes memory sig) = _signedReading();
        IQualityLedger.QatReading memory tampered = _copy(r);
        tampered.grade = 10;
        _assertTamperedRejected(r, tampered, sig);
    }

    function test_submitScan_RevertWhen_GradeConfidenceTampered() public {
        (IQualityLedger.QatReading memory r, bytes memory sig) = _signedReading();
        IQualityLedger.QatReading memory tampered = _copy(r);
        tampered.gradeConfidence = 99;
        _assertTamperedRejected(r, tampered, sig);
    }

    function test_submitScan_RevertWhen_ScannedAtTampered() public {
        (IQualityLedger.QatReading memory r, bytes memory sig) = _signedReading();
        IQualityLedger.QatReading memory tampered = _copy(r);
        tampered.scannedAt -= 1;
        _assertTamperedRejected(r, tampered, sig);
    }

    /// @dev Named after another device of the same operator, itself allowed to scan the lot.
    function test_submitScan_RevertWhen_DeviceTampered() public {
        (IQualityLedger.QatReading memory r, bytes memory sig) = _signedReading();
        IQualityLedger.QatReading memory tampered = _copy(r);
        tampered.device = qat1b;
        _assertTamperedRejected(r, tampered, sig);
    }

    // ------------------------------------------------------------------ malformed signatures

    /// @dev (r, n − s, v flipped) is the same signature's malleable twin: valid for `ecrecover`, refused here.
    function test_submitScan_RevertWhen_SignatureHighS() public {
        uint256 lotId = _registerLot(harvester1, COD, GRAMS);
        IQualityLedger.QatReading memory r = _reading(qat1, lotId, COD, 9);
        bytes32 digest = _digest(ledger, r);
        (uint8 v, bytes32 rr, bytes32 ss) = vm.sign(QAT1_KEY, digest);
        bytes32 highS = bytes32(SECP256K1_N - uint256(ss));
        uint8 flipped = v == 27 ? 28 : 27;
        assertEq(ecrecover(digest, flipped, rr, highS), qat1, "the twin recovers the device");

        vm.expectRevert(abi.encodeWithSelector(IQualityLedger.QatMalformedSignature.selector, r.readingId));
        ledger.submitScan(1, r, abi.encodePacked(rr, highS, flipped));

        ledger.submitScan(1, r, abi.encodePacked(rr, ss, v));
        assertTrue(ledger.isAccepted(qat1, r.readingId), "the low-s original is accepted");
    }

    /// @dev Only 65-byte (r, s, v) signatures: not the EIP-2098 compact form, nor padded, truncated or empty ones.
    function test_submitScan_RevertWhen_SignatureWrongLength() public {
        uint256 lotId = _registerLot(harvester1, COD, GRAMS);
        IQualityLedger.QatReading memory r = _reading(qat1, lotId, COD, 9);
        (uint8 v, bytes32 rr, bytes32 ss) = vm.sign(QAT1_KEY, _digest(ledger, r));
        bytes32 vs = bytes32(uint256(ss) | (uint256(v - 27) << 255));
        bytes[] memory wrong = new bytes[](5);
        wrong[0] = abi.encodePacked(rr, vs); // EIP-2098 compact
        wrong[1] = abi.encodePacked(rr, ss); // v missing
        wrong[2] = abi.encodePacked(rr, ss, v, uint8(0)); // one byte too many
        wrong[3] = abi.encodePacked(rr, ss, bytes31(0)); // padded to three words
        wrong[4] = ""; // empty
        for (uint256 i; i < wrong.length; ++i) {
            vm.expectRevert(abi.encodeWithSelector(IQualityLedger.QatMalformedSignature.selector, r.readingId));
            ledger.submitScan(1, r, wrong[i]);
        }
        // 65 bytes that recover nobody (v = 29) are malformed too.
        vm.expectRevert(abi.encodeWithSelector(IQualityLedger.QatMalformedSignature.selector, r.readingId));
        ledger.submitScan(1, r, abi.encodePacked(rr, ss, uint8(29)));
        assertFalse(ledger.isAccepted(qat1, r.readingId), "not accepted");
    }

    // ------------------------------------------------------------------ devices

    /// @dev A key the registry does not know, an actor's own key and a sensor gateway's key are no QAT devices.
    function test_submitScan_RevertWhen_DeviceUnknown() public {
        uint256 lotId = _registerLot(harvester1, COD, GRAMS);
        uint256[3] memory keys = [UNKNOWN_KEY, uint256(keccak256("harvester1")), uint256(keccak256("gateway1"))];
        for (uint256 i; i < keys.length; ++i) {
            address device = vm.addr(keys[i]);
            IQualityLedger.QatReading memory r = _reading(device, lotId, COD, 9);
            bytes memory sig = _sign(keys[i], r);
            vm.expectRevert(abi.encodeWithSelector(IQualityLedger.QatDeviceUnauthorized.selector, device));
            ledger.submitScan(1, r, sig);
        }
        assertEq(vm.addr(keys[1]), harvester1, "the actor's own key");
        assertEq(vm.addr(keys[2]), gateway1, "the gateway's key");
    }

    function test_submitScan_RevertWhen_DeviceRevoked() public {
        uint256 lotId = _registerLot(harvester1, COD, GRAMS);
        _scan(QAT1_KEY, 1, lotId, COD, 10);
        vm.prank(admin);
        registry.revokeParticipant(qat1);

        IQualityLedger.QatReading memory r = _reading(qat1, lotId, COD, 10);
        bytes memory sig = _sign(QAT1_KEY, r);
        vm.expectRevert(abi.encodeWithSelector(IQualityLedger.QatDeviceUnauthorized.selector, qat1));
        ledger.submitScan(1, r, sig);
    }

    function test_submitScan_RevertWhen_DeviceOperatorRevoked() public {
        uint256 lotId = _registerLot(harvester1, COD, GRAMS);
        _scan(QAT1_KEY, 1, lotId, COD, 10);
        vm.prank(admin);
        registry.revokeParticipant(harvester1);
        assertEq(registry.authorization(qat1).roles, 0, "the device holds no role while its operator holds none");

        IQualityLedger.QatReading memory r = _reading(qat1, lotId, COD, 10);
        bytes memory sig = _sign(QAT1_KEY, r);
        vm.expectRevert(abi.encodeWithSelector(IQualityLedger.QatDeviceUnauthorized.selector, qat1));
        ledger.submitScan(1, r, sig);
    }

    /// @dev harvester2's device scanning a lot harvester1 holds.
    function test_submitScan_RevertWhen_DeviceOfAnotherActor() public {
        uint256 lotId = _registerLot(harvester1, COD, GRAMS);
        IQualityLedger.QatReading memory r = _reading(qat2, lotId, COD, 10);
        bytes memory sig = _sign(QAT2_KEY, r);
        vm.expectRevert(
            abi.encodeWithSelector(
                IQualityLedger.QualityNotCustodian.selector,
                lotId,
                _idOf(harvester1),
                _idOf(harvester2)
            )
        );
        ledger.submitScan(1, r, sig);

        // Nor a device of the next stage's actor before the lot reaches it: its operator is no harvester.
        r = _reading(qatSupplier, lotId, COD, 10);
        sig = _sign(QAT_SUPPLIER_KEY, r);
        vm.expectRevert(abi.encodeWithSelector(IQualityLedger.QualityOperatorNotAtStage.selector, supplier1, 1));
        ledger.submitScan(1, r, sig);
    }

    /// @dev An inspector's device scans any lot held at any stage, whoever holds it; but only where the lot is.
    function test_submitScan_RegulatorDeviceScansAnyLot() public {
        uint32 deviceId = _idOf(qatRegulator);
        for (uint8 s = 1; s <= 6; ++s) {
            uint256 lotId = _lotAt(s, COD, GRAMS);
            _scan(QAT_REGULATOR_KEY, s, lotId, COD, 9);
            (IStage.Inspection memory inspection, ) = _stage(s).queryQAT(lotId);
            assertEq(inspection.deviceId, deviceId, "inspected by the regulator's device");
            assertEq(inspection.grade, 9, "grade");
        }
        uint256 lot = _lotAt(3, COD, GRAMS);
        IQualityLedger.QatReading memory r = _reading(qatRegulator, lot, COD, 9);
        bytes memory sig = _sign(QAT_REGULATOR_KEY, r);
        vm.expectRevert(
            abi.encodeWithSelector(IQualityLedger.QualityLotNotHere.selector, lot, 2, IStage.LotStatus.Supplied)
        );
        ledger.submitScan(2, r, sig);
    }

    // ------------------------------------------------------------------ reading values

    function test_submitScan_RevertWhen_ScanInFuture() public {
        uint256 lotId = _registerLot(harvester1, COD, GRAMS);
        IQualityLedger.QatReading memory r = _reading(qat1, lotId, COD, 9);
        r.scannedAt = uint40(_now() + 1);
        bytes memory sig = _sign(QAT1_KEY, r);
        vm.expectRevert(
            abi.encodeWithSelector(IQualityLedger.QatScanInFuture.selector, uint40(_now() + 1), uint40(_now()))
        );
        ledger.submitScan(1, r, sig);

        // Once that time has come, the reading is accepted.
        vm.warp(_now() + 1);
        ledger.submitScan(1, r, sig);
    }

    function test_submitScan_RevertWhen_ConfidenceAbove100() public {
        uint256 lotId = _registerLot(harvester1, COD, GRAMS);
        IQualityLedger.QatReading memory r = _reading(qat1, lotId, COD, 9);
        r.speciesConfidence = 101;
        bytes memory sig = _sign(QAT1_KEY, r);
        vm.expectRevert(abi.encodeWithSelector(IQualityLedger.QatInvalidConfidence.selector, 101));
        ledger.submitScan(1, r, sig);

        r = _reading(qat1, lotId, COD, 9);
        r.gradeConfidence = 255;
        sig = _sign(QAT1_KEY, r);
        vm.expectRevert(abi.encodeWithSelector(IQualityLedger.QatInvalidConfidence.selector, 255));
        ledger.submitScan(1, r, sig);

        // 100 % is fine.
        r = _reading(qat1, lotId, COD, 9);
        r.speciesConfidence = 100;
        ledger.submitScan(1, r, _sign(QAT1_KEY, r));
    }

    /// @dev Against the scale of the lot's species rule, or of the default rule when the species has none.
    function test_submitScan_RevertWhen_GradeOutOfScale() public {
        uint256 cod = _registerLot(harvester1, COD, GRAMS);
        IQualityLedger.QatReading memory r = _reading(qat1, cod, COD, 11);
        bytes memory sig = _sign(QAT1_KEY, r);
        vm.expectRevert(abi.encodeWithSelector(IQualityLedger.QatGradeOutOfScale.selector, 11, 10));
        ledger.submitScan(1, r, sig);

        IQualityLedger.FreshnessRule memory herring = _defaultRule();
        herring.maxGrade = 5;
        vm.prank(admin);
        ledger.setFreshnessRule(HER, herring);
        uint256 her = _registerLot(harvester1, HER, GRAMS);
        r = _reading(qat1, her, HER, 6);
        sig = _sign(QAT1_KEY, r);
        vm.expectRevert(abi.encodeWithSelector(IQualityLedger.QatGradeOutOfScale.selector, 6, 5));
        ledger.submitScan(1, r, sig);

        _scan(QAT1_KEY, 1, cod, COD, 10); // the top of the default scale
        _scan(QAT1_KEY, 1, her, HER, 5); // the top of herring's
    }

    // ------------------------------------------------------------------ where the lot is

    function test_submitScan_RevertWhen_LotSuppliedOnward() public {
        uint256 lotId = _lotAt(2, COD, GRAMS);
        IQualityLedger.QatReading memory r = _reading(qat1, lotId, COD, 9);
        bytes memory sig = _sign(QAT1_KEY, r);
        vm.expectRevert(
            abi.encodeWithSelector(IQualityLedger.QualityLotNotHere.selector, lotId, 1, IStage.LotStatus.Supplied)
        );
        ledger.submitScan(1, r, sig);
    }

    function test_submitScan_RevertWhen_LotRemoved() public {
        uint256 lotId = _registerLot(harvester1, COD, GRAMS);
        vm.prank(harvester1);
        harvester.removeFish(lotId, IStage.RemovalReason.Discarded);
        IQualityLedger.QatReading memory r = _reading(qat1, lotId, COD, 9);
        bytes memory sig = _sign(QAT1_KEY, r);
        vm.expectRevert(
            abi.encodeWithSelector(IQualityLedger.QualityLotNotHere.selector, lotId, 1, IStage.LotStatus.Removed)
        );
        ledger.submitScan(1, r, sig);
    }

    /// @dev The lot is at the Harvester; the reading names the Supplier, or a lot that does not exist.
    function test_submitScan_RevertWhen_WrongStage() public {
        uint256 lotId = _registerLot(harvester1, COD, GRAMS);
        IQualityLedger.QatReading memory r = _reading(qat1, lotId, COD, 9);
        bytes memory sig = _sign(QAT1_KEY, r);
        vm.expectRevert(
            abi.encodeWithSelector(IQualityLedger.QualityLotNotHere.selector, lotId, 2, IStage.LotStatus.None)
        );
        ledger.submitScan(2, r, sig);

        r = _reading(qat1, 999, COD, 9);
        sig = _sign(QAT1_KEY, r);
        vm.expectRevert(
            abi.encodeWithSelector(IQualityLedger.QualityLotNotHere.selector, 999, 1, IStage.LotStatus.None)
        );
        ledger.submitScan(1, r, sig);
    }

    function test_submitScan_RevertWhen_UnknownStage() public {
        uint256 lotId = _registerLot(harvester1, COD, GRAMS);
        IQualityLedger.QatReading memory r = _reading(qat1, lotId, COD, 9);
        bytes memory sig = _sign(QAT1_KEY, r);
        IQualityLedger.SignedReading[] memory batch = new IQualityLedger.SignedReading[](1);
        batch[0] = IQualityLedger.SignedReading(r, sig);
        IQualityLedger.SensorSummary memory s = _summary(100, 200, 300);
        uint8[3] memory stages = [0, 7, 255];
        for (uint256 i; i < stages.length; ++i) {
            bytes memory unknown = abi.encodeWithSelector(IQualityLedger.QualityUnknownStage.selector, stages[i]);
            vm.expectRevert(unknown);
            ledger.submitScan(stages[i], r, sig);
            vm.expectRevert(unknown);
            ledger.submitScans(stages[i], batch);
            vm.expectRevert(unknown);
            vm.prank(gateway1);
            ledger.anchorReadings(stages[i], _ids(lotId), keccak256("root"), s);
            vm.expectRevert(unknown);
            ledger.stageAt(stages[i]);
        }
    }

    // ================================================================== security: sensor batches

    /// @dev OpenZeppelin's `MerkleProof` alone accepts an inner node as a "leaf" with the shorter proof below it. The
    /// ledger hashes a reading twice (a hash of 32 bytes), while an inner node is a hash of 64 bytes, so no reading
    /// can be an inner node: whatever fields encode the node's two children, verification fails.
    function test_verifyReading_RejectsInnerNodeAsLeaf() public {
        uint256 lotId = _registerLot(harvester1, COD, GRAMS);
        IQualityLedger.SensorReading[] memory readings = _sensorReadings(4);
        bytes32[4] memory leaves;
        for (uint256 i; i < 4; ++i) leaves[i] = _leaf(readings[i]);
        bytes32 left = _hashPair(leaves[0], leaves[1]);
        bytes32 right = _hashPair(leaves[2], leaves[3]);
        bytes32 root = _hashPair(left, right);
        _anchor(gateway1, 1, _ids(lotId), root, _summary(100, 200, 300));

        bytes32[] memory shortProof = new bytes32[](1);
        shortProof[0] = right;
        assertTrue(MerkleProof.verify(shortProof, root, left), "the naive attack works on raw MerkleProof");

        (bytes32 lo, bytes32 hi) = leaves[0] < leaves[1] ? (leaves[0], leaves[1]) : (leaves[1], leaves[0]);
        IQualityLedger.SensorReading[] memory forged = new IQualityLedger.SensorReading[](4);
        // The children's leading bytes.
        forged[0] = IQualityLedger.SensorReading({
            sensor: address(bytes20(lo)),
            readAt: uint40(bytes5(hi)),
            temperature: int16(uint16(bytes2(hi << 40))),
            humidity: uint8(bytes1(hi << 56))
        });
        // Their trailing bytes.
        forged[1] = IQualityLedger.SensorReading({
            sensor: address(uint160(uint256(lo))),
            readAt: uint40(uint256(hi)),
            temperature: int16(uint16(uint256(hi) >> 40)),
            humidity: uint8(uint256(hi) >> 56)
        });
        // The node itself, spread over the fields.
        forged[2] = IQualityLedger.SensorReading({
            sensor: address(bytes20(left)),
            readAt: uint40(uint256(left)),
            temperature: int16(uint16(uint256(left) >> 40)),
            humidity: uint8(uint256(left) >> 56)
        });
        // A genuine reading of that subtree, claimed with the shortened proof.
        forged[3] = readings[0];
        for (uint256 i; i < forged.length; ++i) {
            assertFalse(ledger.verifyReading(gateway1, root, forged[i], shortProof), "no reading is an inner node");
        }
        // The genuine readings with their full proofs pass.
        for (uint256 i; i < 4; ++i) {
            bytes32[] memory proof = new bytes32[](2);
            proof[0] = leaves[i ^ 1];
            proof[1] = i < 2 ? right : left;
            assertTrue(ledger.verifyReading(gateway1, root, readings[i], proof), "a real leaf verifies");
        }
    }

    function test_anchorReadings_RevertWhen_RootAnchoredTwice() public {
        uint256 lotId = _registerLot(harvester1, COD, GRAMS);
        bytes32 root = keccak256("batch");
        _anchor(gateway1, 1, _ids(lotId), root, _summary(100, 200, 300));
        IQualityLedger.Anchor memory first = ledger.anchorOf(gateway1, root);

        IQualityLedger.SensorSummary memory other = _summary(0, 100, 200);
        vm.expectRevert(abi.encodeWithSelector(IQualityLedger.SensorRootInvalid.selector, root));
        vm.prank(gateway1);
        ledger.anchorReadings(1, _ids(lotId), root, other);
        // Another gateway (the regulator's may anchor any lot) makes an anchor of its own: a root is bound to the
        // gateway that anchored it, so nobody can take over or block another gateway's root (audit F4).
        vm.prank(gatewayRegulator);
        ledger.anchorReadings(1, _ids(lotId), root, other);
        assertEq(abi.encode(ledger.anchorOf(gateway1, root)), abi.encode(first), "the first anchor stands");
        assertEq(ledger.anchorOf(gatewayRegulator, root).mean, 100, "the other gateway's own anchor");
    }

    function test_anchorReadings_RevertWhen_RootZero() public {
        uint256 lotId = _registerLot(harvester1, COD, GRAMS);
        IQualityLedger.SensorSummary memory s = _summary(100, 200, 300);
        vm.expectRevert(abi.encodeWithSelector(IQualityLedger.SensorRootInvalid.selector, bytes32(0)));
        vm.prank(gateway1);
        ledger.anchorReadings(1, _ids(lotId), bytes32(0), s);
    }

    /// @dev The lot's own custodian, a QAT device of that custodian, the admin and an outsider: none is a gateway.
    function test_anchorReadings_RevertWhen_NotGateway() public {
        uint256 lotId = _registerLot(harvester1, COD, GRAMS);
        IQualityLedger.SensorSummary memory s = _summary(100, 200, 300);
        address[5] memory callers = [harvester1, qat1, regulator, admin, stranger];
        for (uint256 i; i < callers.length; ++i) {
            vm.expectRevert(abi.encodeWithSelector(IQualityLedger.SensorGatewayUnauthorized.selector, callers[i]));
            vm.prank(callers[i]);
            ledger.anchorReadings(1, _ids(lotId), keccak256("root"), s);
        }
        // A revoked gateway is no gateway.
        vm.prank(admin);
        registry.revokeParticipant(gateway1);
        vm.expectRevert(abi.encodeWithSelector(IQualityLedger.SensorGatewayUnauthorized.selector, gateway1));
        vm.prank(gateway1);
        ledger.anchorReadings(1, _ids(lotId), keccak256("root"), s);
    }

    /// @dev harvester2's gateway anchoring for harvester1's lot, alone or among harvester2's own.
    function test_anchorReadings_RevertWhen_GatewayOfAnotherOperator() public {
        uint256 theirs = _registerLot(harvester1, COD, GRAMS);
        uint256 own = _registerLot(harvester2, COD, GRAMS);
        IQualityLedger.SensorSummary memory s = _summary(100, 200, 300);
        bytes memory notCustodian = abi.encodeWithSelector(
            IQualityLedger.QualityNotCustodian.selector,
            theirs,
            _idOf(harvester1),
            _idOf(harvester2)
        );
        vm.expectRevert(notCustodian);
        vm.prank(gateway2);
        ledger.anchorReadings(1, _ids(theirs), keccak256("root"), s);
        vm.expectRevert(notCustodian);
        vm.prank(gateway2);
        ledger.anchorReadings(1, _ids(own, theirs), keccak256("root"), s);
        assertEq(ledger.anchorOf(gateway1, keccak256("root")).anchoredAt, 0, "nothing anchored");
    }

    function test_anchorReadings_RevertWhen_InvalidSummary() public {
        uint256 lotId = _registerLot(harvester1, COD, GRAMS);
        uint40 nowTime = uint40(_now());
        IQualityLedger.SensorSummary[5] memory invalid;
        invalid[0] = _summary(100, 200, 300);
        invalid[0].count = 0;
        invalid[1] = _summary(100, 200, 300);
        (invalid[1].from, invalid[1].to) = (nowTime, nowTime - 1); // from after to
        invalid[2] = _summary(100, 200, 300);
        invalid[2].to = nowTime + 1; // ends in the future
        invalid[3] = _summary(250, 200, 300); // minimum above the mean
        invalid[4] = _summary(100, 350, 300); // mean above the maximum
        for (uint256 i; i < invalid.length; ++i) {
            IQualityLedger.SensorSummary memory s = invalid[i];
            vm.expectRevert(
                abi.encodeWithSelector(
                    IQualityLedger.SensorInvalidSummary.selector,
                    s.from,
                    s.to,
                    s.count,
                    s.minimum,
                    s.mean,
                    s.maximum
                )
            );
            vm.prank(gateway1);
            ledger.anchorReadings(1, _ids(lotId), keccak256("root"), s);
        }
        // The edge cases that are valid: one reading at one instant, ending now, all equal.
        IQualityLedger.SensorSummary memory single = IQualityLedger.SensorSummary({
            from: nowTime,
            to: nowTime,
            count: 1,
            minimum: 200,
            maximum: 200,
            mean: 200
        });
        _anchor(gateway1, 1, _ids(lotId), keccak256("root"), single);
    }

    function test_anchorReadings_RevertWhen_NoLots() public {
        IQualityLedger.SensorSummary memory s = _summary(100, 200, 300);
        vm.expectRevert(abi.encodeWithSelector(IQualityLedger.SensorNoLots.selector));
        vm.prank(gateway1);
        ledger.anchorReadings(1, new uint256[](0), keccak256("root"), s);
    }

    function test_anchorReadings_RevertWhen_LotNotHere() public {
        uint256 lotId = _lotAt(2, COD, GRAMS);
        IQualityLedger.SensorSummary memory s = _summary(100, 200, 300);
        vm.expectRevert(
            abi.encodeWithSelector(IQualityLedger.QualityLotNotHere.selector, lotId, 1, IStage.LotStatus.Supplied)
        );
        vm.prank(gateway1);
        ledger.anchorReadings(1, _ids(lotId), keccak256("root"), s);
    }

    function test_verifyReading_RevertWhen_RootNotFound() public {
        IQualityLedger.SensorReading[] memory readings = _sensorReadings(1);
        bytes32 leaf = _leaf(readings[0]);
        vm.expectRevert(abi.encodeWithSelector(IQualityLedger.SensorRootNotFound.selector, leaf));
        ledger.verifyReading(gateway1, leaf, readings[0], new bytes32[](0));
        vm.expectRevert(abi.encodeWithSelector(IQualityLedger.SensorRootNotFound.selector, bytes32(0)));
        ledger.verifyReading(gateway1, bytes32(0), readings[0], new bytes32[](0));
    }

    // ================================================================== security: wiring and administration

    /// @dev At every stage: the admin, the custodian, the regulator, an outsider and a second ledger built for the
    /// same stages may not flag lots; only the ledger each stage was given.
    function test_flagLot_RevertWhen_CallerNotLedger() public {
        QualityLedger other = _newLedger(_stageAddresses());
        for (uint8 s = 1; s <= 6; ++s) {
            uint256 lotId = _lotAt(s, COD, GRAMS);
            address[6] memory callers = [admin, _actor(s, 0), regulator, stranger, address(this), address(other)];
            for (uint256 i; i < callers.length; ++i) {
                vm.expectRevert(abi.encodeWithSelector(IStage.StageCallerNotLedger.selector, callers[i]));
                vm.prank(callers[i]);
                _stage(s).flagLot(lotId, LotFlags.FRESHNESS_WARNING);
            }
            assertEq(_stage(s).getLot(lotId).flags, 0, "not flagged");
        }
    }

    function test_setQualityLedger_RevertWhen_AlreadySet() public {
        QualityLedger other = _newLedger(_stageAddresses());
        for (uint8 s = 1; s <= 6; ++s) {
            address[2] memory candidates = [address(ledger), address(other)];
            for (uint256 i; i < candidates.length; ++i) {
                vm.expectRevert(abi.encodeWithSelector(IStage.StageLedgerAlreadySet.selector, address(ledger)));
                vm.prank(admin);
                _stage(s).setQualityLedger(candidates[i]);
            }
            assertEq(_stage(s).qualityLedger(), address(ledger), "unchanged");
        }
    }

    function test_setFreshnessRule_RevertWhen_NotAdmin() public {
        IQualityLedger.FreshnessRule memory rule = _defaultRule();
        address[5] memory callers = [harvester1, regulator, qat1, gateway1, stranger];
        for (uint256 i; i < callers.length; ++i) {
            vm.expectRevert(abi.encodeWithSelector(IQualityLedger.QualityUnauthorized.selector, callers[i]));
            vm.prank(callers[i]);
            ledger.setFreshnessRule(COD, rule);
        }
    }

    function test_setFreshnessRule_RevertWhen_InvalidRule() public {
        IQualityLedger.FreshnessRule[5] memory invalid;
        invalid[0] = _defaultRule();
        invalid[0].minimumTemperature = 0; // Tmin must be below 0 °C
        invalid[1] = _defaultRule();
        invalid[1].minimumTemperature = 100;
        invalid[2] = _defaultRule();
        invalid[2].defaultTemperature = invalid[2].minimumTemperature; // default must be above Tmin
        invalid[3] = _defaultRule();
        invalid[3].defaultTemperature = -2000;
        invalid[4] = _defaultRule();
        invalid[4].maxGrade = 0;
        for (uint256 i; i < invalid.length; ++i) {
            IQualityLedger.FreshnessRule memory rule = invalid[i];
            vm.expectRevert(
                abi.encodeWithSelector(
                    IQualityLedger.FreshnessInvalidRule.selector,
                    rule.minimumTemperature,
                    rule.defaultTemperature,
                    rule.maxGrade
                )
            );
            vm.prank(admin);
            ledger.setFreshnessRule(COD, rule);
        }
    }

    // ================================================================== behaviour: inspections and species

    function test_submitScan_RecordsFirstInspection() public {
        uint256 lotId = _registerLot(harvester1, COD, GRAMS);
        uint32 deviceId = _idOf(qat1);
        IQualityLedger.QatReading memory r = _reading(qat1, lotId, COD, 9);
        r.gradeConfidence = 86;
        bytes memory sig = _sign(QAT1_KEY, r);

        vm.expectEmit(address(ledger));
        emit IQualityLedger.QatScanned(lotId, deviceId, r.readingId, COD, SPECIES_CONFIDENCE, 9, 86, r.scannedAt);
        vm.recordLogs();
        vm.prank(stranger); // anyone may carry a signed reading to the chain
        ledger.submitScan(1, r, sig);
        assertEq(vm.getRecordedLogs().length, 1, "QatScanned only: nothing flagged");

        (IStage.Inspection memory inspection, uint8 flags) = harvester.queryQAT(lotId);
        assertEq(inspection.scannedAt, r.scannedAt, "scannedAt");
        assertEq(bytes32(inspection.species), bytes32(COD), "species");
        assertEq(inspection.speciesConfidence, SPECIES_CONFIDENCE, "species confidence");
        assertEq(inspection.grade, 9, "grade");
        assertEq(inspection.gradeConfidence, 86, "grade confidence");
        assertEq(inspection.deviceId, deviceId, "device");
        assertEq(flags, 0, "no flags");
        assertEq(abi.encode(ledger.inspectionOf(lotId)), abi.encode(inspection), "inspectionOf");

        IQualityLedger.LotQuality memory q = ledger.qualityOf(lotId);
        assertEq(q.scans, 1, "one scan");
        assertEq(q.coveredSeconds, 0, "no sensor coverage");
        assertTrue(ledger.isAccepted(qat1, r.readingId), "accepted");
        assertFalse(ledger.isAccepted(qat1, r.readingId + 1), "the next id is free");
        assertFalse(ledger.isAccepted(qat1b, r.readingId), "per device");
    }

    /// @dev A lot registered as cod scanned as herring: flagged at the stage that holds it.
    function test_submitScan_FlagsSpeciesMismatchWithRegistered() public {
        uint256 lotId = _registerLot(harvester1, COD, GRAMS);
        uint32 deviceId = _idOf(qat1);
        IQualityLedger.QatReading memory r = _reading(qat1, lotId, HER, 9);
        bytes memory sig = _sign(QAT1_KEY, r);

        vm.expectEmit(address(ledger));
        emit IQualityLedger.SpeciesMismatch(lotId, deviceId, COD, bytes3(0), HER, SPECIES_CONFIDENCE);
        vm.expectEmit(address(ledger));
        emit IQualityLedger.QatScanned(lotId, deviceId, r.readingId, HER, SPECIES_CONFIDENCE, 9, 100, r.scannedAt);
        vm.expectEmit(address(harvester));
        emit IStage.LotFlagged(lotId, LotFlags.SPECIES_MISMATCH);
        ledger.submitScan(1, r, sig);

        (IStage.Inspection memory inspection, uint8 flags) = harvester.queryQAT(lotId);
        assertEq(flags, LotFlags.SPECIES_MISMATCH, "flagged");
        assertEq(bytes32(inspection.species), bytes32(HER), "the inspection says what the device saw");
        assertEq(bytes32(harvester.getLot(lotId).species), bytes32(COD), "the lot keeps its registered species");
    }

    /// @dev A scan is compared with the previous scan too: after a herring scan of a cod lot, a cod scan mismatches
    /// the previous one (the flag, already raised, is not raised again).
    function test_submitScan_FlagsSpeciesMismatchWithPreviousScan() public {
        uint256 lotId = _registerLot(harvester1, COD, GRAMS);
        uint32 deviceId = _idOf(qat1);
        vm.recordLogs();
        _scan(QAT1_KEY, 1, lotId, COD, 10);
        _scan(QAT1_KEY, 1, lotId, COD, 10);
        assertEq(_count(vm.getRecordedLogs(), IQualityLedger.SpeciesMismatch.selector), 0, "consistent scans");

        vm.warp(_now() + 1 hours);
        IQualityLedger.QatReading memory her = _reading(qat1, lotId, HER, 10);
        bytes memory herSig = _sign(QAT1_KEY, her);
        vm.expectEmit(address(ledger));
        emit IQualityLedger.SpeciesMismatch(lotId, deviceId, COD, COD, HER, SPECIES_CONFIDENCE);
        ledger.submitScan(1, her, herSig);

        vm.warp(_now() + 1 hours);
        IQualityLedger.QatReading memory cod = _reading(qat1, lotId, COD, 10);
        bytes memory codSig = _sign(QAT1_KEY, cod);
        vm.expectEmit(address(ledger));
        emit IQualityLedger.SpeciesMismatch(lotId, deviceId, COD, HER, COD, SPECIES_CONFIDENCE);
        vm.recordLogs();
        ledger.submitScan(1, cod, codSig);
        assertEq(_count(vm.getRecordedLogs(), IStage.LotFlagged.selector), 0, "already flagged");
        (, uint8 flags) = harvester.queryQAT(lotId);
        assertEq(flags, LotFlags.SPECIES_MISMATCH, "still flagged");
    }

    /// @dev A lot in transit (`Shipped`) is still held by its seller, whose devices may scan it.
    function test_submitScan_AcceptsShippedLot() public {
        uint256 lotId = _registerLot(harvester1, COD, GRAMS);
        uint256 orderId = _placeAt(1, supplier1, harvester1, COD, GRAMS, CHAIN_PRICE, uint40(_now() + 1 days), 1 days);
        _shipAt(1, harvester1, orderId, 1, _ids(lotId));
        assertEq(uint256(harvester.getLot(lotId).status), uint256(IStage.LotStatus.Shipped), "in transit");
        _scan(QAT1_KEY, 1, lotId, COD, 10);
        assertEq(ledger.qualityOf(lotId).scans, 1, "scanned");
    }

    // ================================================================== behaviour: freshness

    function test_submitScan_FreshnessDropWithinAllowancePasses() public {
        uint256 lotId = _registerLot(harvester1, COD, GRAMS);
        _scan(QAT1_KEY, 1, lotId, COD, 10);
        vm.warp(_now() + 1 days);
        vm.recordLogs();
        // One grade in a day at 4 °C: 100 ≤ 198.
        _scan(QAT1_KEY, 1, lotId, COD, 9);
        // No drop at all.
        _scan(QAT1_KEY, 1, lotId, COD, 9);
        assertEq(_count(vm.getRecordedLogs(), IQualityLedger.FreshnessWarning.selector), 0, "no warning");
        (IStage.Inspection memory inspection, uint8 flags) = harvester.queryQAT(lotId);
        assertEq(inspection.grade, 9, "latest grade");
        assertEq(flags, 0, "not flagged");
        assertEq(ledger.qualityOf(lotId).scans, 3, "three scans");
    }

    /// @dev 10 → 8 in a day: 200 > 198 at full confidence. The event carries the rule's numbers.
    function test_submitScan_FreshnessWarningWhenDropExceedsAllowance() public {
        assertEq(_rrs(400), RRS_4C, "RRS(4 C) = 1.96");
        assertEq((1 days * RRS_4C) / 1e6, T0_DAY_AT_4C, "t0");
        assertEq(_allowance(T0_DAY_AT_4C, 100), ALLOWED_DAY_AT_4C, "allowed");

        uint256 lotId = _registerLot(harvester1, COD, GRAMS);
        uint32 deviceId = _idOf(qat1);
        _scan(QAT1_KEY, 1, lotId, COD, 10);
        vm.warp(_now() + 1 days);
        IQualityLedger.QatReading memory r = _reading(qat1, lotId, COD, 8);
        bytes memory sig = _sign(QAT1_KEY, r);

        vm.expectEmit(address(ledger));
        emit IQualityLedger.FreshnessWarning(lotId, deviceId, 10, 8, 1 days, T0_DAY_AT_4C, ALLOWED_DAY_AT_4C, 200);
        vm.expectEmit(address(harvester));
        emit IStage.LotFlagged(lotId, LotFlags.FRESHNESS_WARNING);
        ledger.submitScan(1, r, sig);

        (IStage.Inspection memory inspection, uint8 flags) = harvester.queryQAT(lotId);
        assertEq(flags, LotFlags.FRESHNESS_WARNING, "flagged");
        assertEq(inspection.grade, 8, "the low grade is the latest");

        // The ledger's public evaluation agrees.
        IQualityLedger.FreshnessVerdict memory verdict = ledger.evaluateFreshness(
            _defaultRule(),
            _input(10, 100, 8, 100, 1 days, 0, 0)
        );
        assertTrue(verdict.warning, "warning");
        assertEq(verdict.allowedDrop, ALLOWED_DAY_AT_4C, "allowedDrop");
        assertEq(verdict.equivalentSeconds, T0_DAY_AT_4C, "equivalentSeconds");
    }

    /// @dev The same two-grade drop passes after two days (296), or after one day when either scan is uncertain
    /// (50 %: + 100).
    function test_submitScan_FreshnessAllowanceGrowsWithTimeAndUncertainty() public {
        assertEq(_allowance(2 * T0_DAY_AT_4C, 100), 296, "two days");
        assertEq(_allowance(T0_DAY_AT_4C, 50), 298, "one day at 50 %");
        uint256 slow = _registerLot(harvester1, COD, GRAMS);
        uint256 unsure = _registerLot(harvester1, COD, GRAMS);
        _scan(QAT1_KEY, 1, slow, COD, 10);
        _scan(QAT1_KEY, 1, unsure, COD, 10);
        vm.warp(_now() + 1 days);
        vm.recordLogs();
        IQualityLedger.QatReading memory r = _reading(qat1, unsure, COD, 8);
        r.gradeConfidence = 50;
        ledger.submitScan(1, r, _sign(QAT1_KEY, r));
        vm.warp(_now() + 1 days);
        _scan(QAT1_KEY, 1, slow, COD, 8);
        assertEq(_count(vm.getRecordedLogs(), IQualityLedger.FreshnessWarning.selector), 0, "no warning");
    }

    /// @dev A day at 12 °C is 4.84 days at 0 °C: a three-grade drop (300) is within the 342 allowed, where the
    /// 4 °C assumed without the batch allows 198. The batch also breaks the fresh band (0-4 °C): EXCURSION.
    function test_anchorReadings_WarmBatchRaisesFreshnessAllowance() public {
        assertEq(_rrs(1200), RRS_12C, "RRS(12 C) = 4.84");
        assertEq((1 days * RRS_12C) / 1e6, T0_DAY_AT_12C, "t0");
        assertEq(_allowance(T0_DAY_AT_12C, 100), ALLOWED_DAY_AT_12C, "allowed");

        uint256 warm = _registerLot(harvester1, COD, GRAMS);
        uint256 control = _registerLot(harvester1, COD, GRAMS);
        uint32 deviceId = _idOf(qat1);
        uint40 first = uint40(_now());
        _scan(QAT1_KEY, 1, warm, COD, 10);
        _scan(QAT1_KEY, 1, control, COD, 10);
        vm.warp(_now() + 1 days);
        IQualityLedger.SensorSummary memory s = IQualityLedger.SensorSummary({
            from: first,
            to: uint40(_now()),
            count: 96,
            minimum: 800,
            maximum: 1500,
            mean: 1200
        });
        _anchor(gateway1, 1, _ids(warm), keccak256("warm day"), s);
        IQualityLedger.LotQuality memory q = ledger.qualityOf(warm);
        assertEq(q.coveredSeconds, 1 days, "covered");
        assertEq(q.equivalentSeconds, T0_DAY_AT_12C, "equivalent");

        IQualityLedger.QatReading memory rc = _reading(qat1, control, COD, 7);
        bytes memory sigc = _sign(QAT1_KEY, rc);
        IQualityLedger.QatReading memory rw = _reading(qat1, warm, COD, 7);
        bytes memory sigw = _sign(QAT1_KEY, rw);
        vm.expectEmit(address(ledger));
        emit IQualityLedger.FreshnessWarning(control, deviceId, 10, 7, 1 days, T0_DAY_AT_4C, ALLOWED_DAY_AT_4C, 300);
        ledger.submitScan(1, rc, sigc);

        vm.recordLogs();
        ledger.submitScan(1, rw, sigw);
        assertEq(_count(vm.getRecordedLogs(), IQualityLedger.FreshnessWarning.selector), 0, "covered by the batch");

        IQualityLedger.FreshnessVerdict memory verdict = ledger.evaluateFreshness(
            _defaultRule(),
            _input(10, 100, 7, 100, 1 days, 1 days, uint48(T0_DAY_AT_12C))
        );
        assertFalse(verdict.warning, "no warning");
        assertEq(verdict.allowedDrop, ALLOWED_DAY_AT_12C, "allowedDrop");

        assertEq(harvester.getLot(warm).flags, LotFlags.EXCURSION, "warm: excursion only");
        assertEq(harvester.getLot(control).flags, LotFlags.FRESHNESS_WARNING, "control: freshness warning");
        q = ledger.qualityOf(warm);
        assertEq(q.coveredSeconds, 0, "coverage restarts at the scan");
        assertEq(q.equivalentSeconds, 0, "equivalent restarts at the scan");
    }

    /// @dev The quality history follows the lot id down the chain: the Supplier's scan is judged against the
    /// Harvester's, and the flag lands where the lot is now.
    function test_submitScan_LaterStageComparesWithEarlierStageScan() public {
        uint256 lotId = _registerLot(harvester1, COD, GRAMS);
        _scan(QAT1_KEY, 1, lotId, COD, 10);
        _carry(_ids(lotId), 2);
        vm.warp(_now() + 1 days);

        uint32 deviceId = _idOf(qatSupplier);
        IQualityLedger.QatReading memory r = _reading(qatSupplier, lotId, COD, 8);
        bytes memory sig = _sign(QAT_SUPPLIER_KEY, r);
        vm.expectEmit(address(ledger));
        emit IQualityLedger.FreshnessWarning(lotId, deviceId, 10, 8, 1 days, T0_DAY_AT_4C, ALLOWED_DAY_AT_4C, 200);
        vm.expectEmit(address(supplier));
        emit IStage.LotFlagged(lotId, LotFlags.FRESHNESS_WARNING);
        ledger.submitScan(2, r, sig);

        (IStage.Inspection memory atSupplier, uint8 supplierFlags) = supplier.queryQAT(lotId);
        assertEq(atSupplier.deviceId, deviceId, "the supplier's inspection");
        assertEq(atSupplier.grade, 8, "grade");
        assertEq(supplierFlags, LotFlags.FRESHNESS_WARNING, "flagged where the lot is");
        (IStage.Inspection memory atHarvester, uint8 harvesterFlags) = harvester.queryQAT(lotId);
        assertEq(abi.encode(atHarvester), abi.encode(atSupplier), "one history per lot");
        assertEq(harvesterFlags, 0, "the Harvester's record of the lot is not flagged");
        assertEq(ledger.qualityOf(lotId).scans, 2, "two scans");
    }

    /// @dev A late upload (scanned before the latest inspection) is recorded as an event and checked for species,
    /// but neither replaces the latest inspection nor is judged for freshness.
    function test_submitScan_OlderScanDoesNotReplaceLatest() public {
        uint256 lotId = _registerLot(harvester1, COD, GRAMS);
        uint32 deviceId = _idOf(qat1);
        vm.warp(_now() + 1 days);
        IQualityLedger.QatReading memory latest = _scan(QAT1_KEY, 1, lotId, COD, 9);

        IQualityLedger.QatReading memory older = _reading(qat1, lotId, COD, 2);
        older.scannedAt = latest.scannedAt - 1 hours;
        bytes memory sig = _sign(QAT1_KEY, older);
        vm.expectEmit(address(ledger));
        emit IQualityLedger.QatScanned(
            lotId,
            deviceId,
            older.readingId,
            COD,
            SPECIES_CONFIDENCE,
            2,
            100,
            older.scannedAt
        );
        vm.recordLogs();
        ledger.submitScan(1, older, sig);
        assertEq(vm.getRecordedLogs().length, 1, "QatScanned only");
        assertTrue(ledger.isAccepted(qat1, older.readingId), "accepted");

        (IStage.Inspection memory inspection, uint8 flags) = harvester.queryQAT(lotId);
        assertEq(inspection.scannedAt, latest.scannedAt, "the latest stays");
        assertEq(inspection.grade, 9, "its grade stays");
        assertEq(flags, 0, "no freshness judgement");
        assertEq(ledger.qualityOf(lotId).scans, 1, "not counted as latest");

        // An older scan of another species is still a mismatch.
        IQualityLedger.QatReading memory olderHer = _reading(qat1, lotId, HER, 9);
        olderHer.scannedAt = latest.scannedAt - 2 hours;
        sig = _sign(QAT1_KEY, olderHer);
        vm.expectEmit(address(ledger));
        emit IQualityLedger.SpeciesMismatch(lotId, deviceId, COD, COD, HER, SPECIES_CONFIDENCE);
        ledger.submitScan(1, olderHer, sig);
        (inspection, flags) = harvester.queryQAT(lotId);
        assertEq(flags, LotFlags.SPECIES_MISMATCH, "flagged");
        assertEq(bytes32(inspection.species), bytes32(COD), "the latest inspection stays");
    }

    function test_setFreshnessRule_SetsSpeciesRule() public {
        IQualityLedger.FreshnessRule memory rule = IQualityLedger.FreshnessRule({
            decayPerDay: 80,
            minimumTemperature: -1100,
            defaultTemperature: 200,
            margin: 50,
            uncertainty: 150,
            maxGrade: 5
        });
        vm.expectEmit(address(ledger));
        emit IQualityLedger.FreshnessRuleSet(HER, rule);
        vm.prank(admin);
        ledger.setFreshnessRule(HER, rule);
        assertEq(abi.encode(ledger.freshnessRuleOf(HER)), abi.encode(rule), "herring's own rule");
        assertEq(abi.encode(ledger.freshnessRuleOf(COD)), abi.encode(_defaultRule()), "cod falls back to default");
    }

    // ================================================================== behaviour: sensor batches

    function test_anchorReadings_RecordsAnchor() public {
        uint256[] memory lotIds = _ids(_registerLot(harvester1, COD, GRAMS), _registerLot(harvester1, HER, GRAMS));
        uint32 gatewayId = _idOf(gateway1);
        bytes32 root = keccak256("batch");
        IQualityLedger.SensorSummary memory s = _summary(50, 200, 350);

        vm.expectEmit(address(ledger));
        emit IQualityLedger.SensorBatchAnchored(root, gatewayId, 1, lotIds, s);
        vm.recordLogs();
        _anchor(gateway1, 1, lotIds, root, s);
        assertEq(vm.getRecordedLogs().length, 1, "in band: no excursion");

        IQualityLedger.Anchor memory a = ledger.anchorOf(gateway1, root);
        assertEq(a.anchoredAt, _now(), "anchoredAt");
        assertEq(a.gatewayId, gatewayId, "gatewayId");
        assertEq(a.from, s.from, "from");
        assertEq(a.to, s.to, "to");
        assertEq(a.count, s.count, "count");
        assertEq(a.minimum, s.minimum, "minimum");
        assertEq(a.maximum, s.maximum, "maximum");
        assertEq(a.mean, s.mean, "mean");
        for (uint256 i; i < 2; ++i) {
            IQualityLedger.LotQuality memory q = ledger.qualityOf(lotIds[i]);
            assertEq(q.coveredSeconds, 1 hours, "covered");
            assertEq(q.equivalentSeconds, (1 hours * _rrs(200)) / 1e6, "equivalent at the mean");
            assertEq(harvester.getLot(lotIds[i]).flags, 0, "not flagged");
        }
    }

    /// @dev The regulator's gateway may anchor for lots anyone holds.
    function test_anchorReadings_RegulatorGatewayAnchorsAnyLot() public {
        uint256 lotId = _lotAt(3, COD, GRAMS);
        _anchor(gatewayRegulator, 3, _ids(lotId), keccak256("inspection"), _summary(100, 200, 300));
        assertEq(
            ledger.anchorOf(gatewayRegulator, keccak256("inspection")).gatewayId,
            _idOf(gatewayRegulator),
            "anchored"
        );
    }

    /// @dev A fresh lot's band is 0-4 °C: a maximum above 4 °C or a minimum below 0 °C is an excursion.
    function test_anchorReadings_FlagsExcursionOfFreshLot() public {
        uint256 warm = _registerLot(harvester1, COD, GRAMS);
        uint256 frosty = _registerLot(harvester1, COD, GRAMS);
        bytes32 rootWarm = keccak256("warm");
        bytes32 rootFrosty = keccak256("frosty");

        IQualityLedger.SensorSummary memory s = _summary(100, 300, 401);
        vm.expectEmit(address(ledger));
        emit IQualityLedger.SensorExcursion(rootWarm, warm, 100, 401, 0, 400);
        vm.expectEmit(address(harvester));
        emit IStage.LotFlagged(warm, LotFlags.EXCURSION);
        _anchor(gateway1, 1, _ids(warm), rootWarm, s);

        s = _summary(-1, 200, 300);
        vm.expectEmit(address(ledger));
        emit IQualityLedger.SensorExcursion(rootFrosty, frosty, -1, 300, 0, 400);
        vm.expectEmit(address(harvester));
        emit IStage.LotFlagged(frosty, LotFlags.EXCURSION);
        _anchor(gateway1, 1, _ids(frosty), rootFrosty, s);

        assertEq(harvester.getLot(warm).flags, LotFlags.EXCURSION, "warm flagged");
        assertEq(harvester.getLot(frosty).flags, LotFlags.EXCURSION, "frosty flagged");

        // A second excursion is reported but not flagged again.
        vm.recordLogs();
        _anchor(gateway1, 1, _ids(warm), keccak256("warm again"), _summary(100, 300, 500));
        Vm.Log[] memory logs = vm.getRecordedLogs();
        assertEq(_count(logs, IQualityLedger.SensorExcursion.selector), 1, "reported");
        assertEq(_count(logs, IStage.LotFlagged.selector), 0, "not flagged twice");

        // The band's edges are inside it.
        uint256 edge = _registerLot(harvester1, COD, GRAMS);
        _anchor(gateway1, 1, _ids(edge), keccak256("edge"), _summary(0, 200, 400));
        assertEq(harvester.getLot(edge).flags, 0, "0 and 4 C are in band");
    }

    /// @dev A frozen lot's band is at most −18 °C; in one shipment with a fresh lot, each is held to its own band.
    function test_anchorReadings_FlagsExcursionOfFrozenLot() public {
        uint256 frozen = _registerFrozenLot();
        uint256 cold = _registerFrozenLot();
        uint256 fresh = _registerLot(harvester1, COD, GRAMS);
        bytes32 root = keccak256("thawing");

        IQualityLedger.SensorSummary memory s = _summary(-2500, -2000, -1799);
        vm.expectEmit(address(ledger));
        emit IQualityLedger.SensorExcursion(root, frozen, -2500, -1799, type(int16).min, -1800);
        vm.expectEmit(address(harvester));
        emit IStage.LotFlagged(frozen, LotFlags.EXCURSION);
        _anchor(gateway1, 1, _ids(frozen), root, s);
        assertEq(harvester.getLot(frozen).flags, LotFlags.FROZEN | LotFlags.EXCURSION, "frozen flagged");

        _anchor(gateway1, 1, _ids(cold), keccak256("deep frozen"), _summary(-3000, -2400, -1800));
        assertEq(harvester.getLot(cold).flags, LotFlags.FROZEN, "-18 C is in band");

        // Chilled at 2 °C: right for the fresh lot, an excursion for the frozen one.
        bytes32 mixed = keccak256("mixed");
        vm.expectEmit(address(ledger));
        emit IQualityLedger.SensorExcursion(mixed, cold, 100, 300, type(int16).min, -1800);
        _anchor(gateway1, 1, _ids(fresh, cold), mixed, _summary(100, 200, 300));
        assertEq(harvester.getLot(cold).flags, LotFlags.FROZEN | LotFlags.EXCURSION, "frozen flagged");
        assertEq(harvester.getLot(fresh).flags, 0, "fresh in band");
    }

    /// @dev Every leaf of a five-leaf standard tree (as `@openzeppelin/merkle-tree` lays it out) verifies with its
    /// proof; a changed value or another leaf's proof does not.
    function test_verifyReading_AcceptsEveryLeafOfFiveLeafTree() public {
        uint256 lotId = _registerLot(harvester1, COD, GRAMS);
        IQualityLedger.SensorReading[] memory readings = _sensorReadings(5);
        bytes32[] memory leaves = new bytes32[](5);
        for (uint256 i; i < 5; ++i) leaves[i] = _leaf(readings[i]);
        bytes32[] memory tree = _standardTree(leaves);
        bytes32 root = tree[0];
        _anchor(gateway1, 1, _ids(lotId), root, _summary(100, 200, 300));

        for (uint256 i; i < 5; ++i) {
            bytes32[] memory proof = _proof(tree, leaves[i]);
            assertTrue(ledger.verifyReading(gateway1, root, readings[i], proof), "leaf verifies");

            IQualityLedger.SensorReading memory changed = readings[i];
            changed.temperature += 1;
            assertFalse(ledger.verifyReading(gateway1, root, changed, proof), "changed temperature");
            changed.temperature -= 1;
            bytes32[] memory otherProof = _proof(tree, leaves[(i + 1) % 5]);
            assertFalse(ledger.verifyReading(gateway1, root, readings[i], otherProof), "another leaf's proof");
        }
    }

    // ================================================================== behaviour: batches of scans

    /// @dev Twenty readings of four lots in one transaction, their ids crossing a 256-id bitmap word; a retry of the
    /// whole batch accepts nothing.
    function test_submitScans_Accepts20Readings() public {
        uint256[] memory lots = new uint256[](4);
        for (uint256 i; i < 4; ++i) lots[i] = _registerLot(harvester1, COD, GRAMS);
        uint256 start = _now();
        vm.warp(start + 1 days);

        IQualityLedger.SignedReading[] memory batch = new IQualityLedger.SignedReading[](20);
        for (uint256 i; i < 20; ++i) {
            IQualityLedger.QatReading memory r = IQualityLedger.QatReading({
                readingId: uint64(250 + i),
                lotId: lots[i % 4],
                species: COD,
                speciesConfidence: SPECIES_CONFIDENCE,
                grade: uint8(10 - i / 16),
                gradeConfidence: FULL_CONFIDENCE,
                scannedAt: uint40(start + i * 1 hours),
                device: qat1
            });
            batch[i] = IQualityLedger.SignedReading(r, _sign(QAT1_KEY, r));
        }
        vm.recordLogs();
        vm.prank(stranger);
        assertEq(ledger.submitScans(1, batch), 20, "all accepted");
        assertEq(_count(vm.getRecordedLogs(), IQualityLedger.QatScanned.selector), 20, "twenty scans");

        for (uint256 i; i < 20; ++i) assertTrue(ledger.isAccepted(qat1, uint64(250 + i)), "accepted");
        assertFalse(ledger.isAccepted(qat1, 249), "before");
        assertFalse(ledger.isAccepted(qat1, 270), "after");
        for (uint256 k; k < 4; ++k) {
            IQualityLedger.LotQuality memory q = ledger.qualityOf(lots[k]);
            assertEq(q.scans, 5, "five scans per lot");
            assertEq(q.scannedAt, start + (16 + k) * 1 hours, "the latest is the last");
            assertEq(harvester.getLot(lots[k]).flags, 0, "a grade in 16 hours is within the allowance");
        }

        vm.recordLogs();
        assertEq(ledger.submitScans(1, batch), 0, "a retry accepts nothing");
        assertEq(vm.getRecordedLogs().length, 0, "and emits nothing");
    }

    /// @dev One invalid reading reverts the whole batch.
    function test_submitScans_RevertWhen_AnyReadingInvalid() public {
        uint256 lotId = _registerLot(harvester1, COD, GRAMS);
        IQualityLedger.SignedReading[] memory batch = new IQualityLedger.SignedReading[](3);
        for (uint256 i; i < 3; ++i) {
            IQualityLedger.QatReading memory r = _reading(qat1, lotId, COD, 10);
            batch[i] = IQualityLedger.SignedReading(r, _sign(QAT1_KEY, r));
        }
        batch[2].reading.grade = 9; // tampered after signing
        address signer = _recovered(ledger, batch[2].reading, batch[2].signature);
        vm.expectRevert(
            abi.encodeWithSelector(IQualityLedger.QatWrongSigner.selector, batch[2].reading.readingId, qat1, signer)
        );
        ledger.submitScans(1, batch);
        assertFalse(ledger.isAccepted(qat1, batch[0].reading.readingId), "nothing recorded");
    }

    // ================================================================== the buyer's receiving scan

    /// @dev harvester1's lot shipped to supplier1 under a new order: returns the order, its shipment number 7 and
    /// the shipped lots (the lot, and a second one when `two`).
    function _shippedToSupplier(bool two) private returns (uint256 orderId, uint256[] memory lotIds) {
        uint256 lotId = _registerLot(harvester1, COD, GRAMS);
        lotIds = two ? _ids(lotId, _registerLot(harvester1, COD, GRAMS)) : _ids(lotId);
        uint40 grams = two ? 2 * GRAMS : GRAMS;
        orderId = _placeAt(1, supplier1, harvester1, COD, grams, CHAIN_PRICE, uint40(_now() + 1 days), 1 days);
        _shipAt(1, harvester1, orderId, 7, lotIds);
    }

    /// @dev The buyer's device scans a lot on its way, as its own: the scan is the lot's latest inspection, by the
    /// buyer's device, while the lot is still the harvester's (Shipped).
    function test_submitReceivingScan_BuyersDeviceScansShippedLot() public {
        (uint256 orderId, uint256[] memory lotIds) = _shippedToSupplier(true);
        IQualityLedger.QatReading memory r = _reading(qatSupplier, lotIds[1], COD, 9);
        vm.expectEmit(address(ledger));
        emit IQualityLedger.QatScanned(
            lotIds[1],
            _idOf(qatSupplier),
            r.readingId,
            COD,
            SPECIES_CONFIDENCE,
            9,
            FULL_CONFIDENCE,
            r.scannedAt
        );
        ledger.submitReceivingScan(1, orderId, 7, lotIds, r, _sign(QAT_SUPPLIER_KEY, r));

        (IStage.Inspection memory inspection, uint8 flags) = harvester.queryQAT(lotIds[1]);
        assertEq(inspection.deviceId, _idOf(qatSupplier), "the buyer's device");
        assertEq(inspection.grade, 9, "grade");
        assertEq(flags, 0, "no flag");
        assertEq(uint256(harvester.getLot(lotIds[1]).status), uint256(IStage.LotStatus.Shipped), "still on its way");
        assertEq(ledger.qualityOf(lotIds[0]).scans, 0, "the other lot of the shipment is not scanned");
        assertTrue(ledger.isAccepted(qatSupplier, r.readingId), "accepted");

        // The same reading again is a replay.
        bytes memory sig = _sign(QAT_SUPPLIER_KEY, r);
        vm.expectRevert(
            abi.encodeWithSelector(IQualityLedger.QatReadingAlreadyAccepted.selector, qatSupplier, r.readingId)
        );
        ledger.submitReceivingScan(1, orderId, 7, lotIds, r, sig);
    }

    /// @dev After the delivery is confirmed (Delivered) the buyer may still scan; a species mismatch it finds is
    /// flagged at the seller's stage before it decides, and it rejects the delivery for it.
    function test_submitReceivingScan_MismatchInformsTheBuyersDecision() public {
        (uint256 orderId, uint256[] memory lotIds) = _shippedToSupplier(false);
        _confirmAt(1, supplier1, orderId);
        assertEq(uint256(harvester.getOrder(orderId).state), uint256(IOrderBook.OrderState.Delivered), "delivered");

        IQualityLedger.QatReading memory r = _reading(qatSupplier, lotIds[0], HER, 9);
        ledger.submitReceivingScan(1, orderId, 7, lotIds, r, _sign(QAT_SUPPLIER_KEY, r));
        assertEq(harvester.getLot(lotIds[0]).flags & LotFlags.SPECIES_MISMATCH, LotFlags.SPECIES_MISMATCH, "flagged");

        vm.prank(supplier1);
        harvester.rejectDelivery(orderId, 7, lotIds, "species mismatch");
        assertEq(uint256(harvester.getLot(lotIds[0]).status), uint256(IStage.LotStatus.Created), "back with seller");
    }

    /// @dev An acknowledged lot is the buyer's own: a flag its receiving scan raised travels with it.
    function test_submitReceivingScan_FlagTravelsWithAcknowledgedLot() public {
        (uint256 orderId, uint256[] memory lotIds) = _shippedToSupplier(false);
        IQualityLedger.QatReading memory r = _reading(qatSupplier, lotIds[0], HER, 9);
        ledger.submitReceivingScan(1, orderId, 7, lotIds, r, _sign(QAT_SUPPLIER_KEY, r));
        _confirmAt(1, supplier1, orderId);
        _ackAt(1, supplier1, orderId, 7, lotIds);
        assertEq(supplier.getLot(lotIds[0]).flags & LotFlags.SPECIES_MISMATCH, LotFlags.SPECIES_MISMATCH, "flag kept");
        assertEq(ledger.qualityOf(lotIds[0]).scans, 1, "the receiving scan is the lot's inspection");
    }

    function test_submitReceivingScan_RevertWhen_OrderNotInTransit() public {
        uint256 lotId = _registerLot(harvester1, COD, GRAMS);
        uint256 orderId = _placeAt(1, supplier1, harvester1, COD, GRAMS, CHAIN_PRICE, uint40(_now() + 1 days), 1 days);
        IQualityLedger.QatReading memory r = _reading(qatSupplier, lotId, COD, 9);
        bytes memory sig = _sign(QAT_SUPPLIER_KEY, r);
        vm.expectRevert(
            abi.encodeWithSelector(
                IQualityLedger.QualityOrderNotInTransit.selector,
                uint8(1),
                orderId,
                IOrderBook.OrderState.Ordered
            )
        );
        ledger.submitReceivingScan(1, orderId, 7, _ids(lotId), r, sig);

        // Nor once acknowledged: the lot is the buyer's, scanned at its own stage.
        _shipAt(1, harvester1, orderId, 7, _ids(lotId));
        _confirmAt(1, supplier1, orderId);
        _ackAt(1, supplier1, orderId, 7, _ids(lotId));
        vm.expectRevert(
            abi.encodeWithSelector(
                IQualityLedger.QualityOrderNotInTransit.selector,
                uint8(1),
                orderId,
                IOrderBook.OrderState.Acknowledged
            )
        );
        ledger.submitReceivingScan(1, orderId, 7, _ids(lotId), r, sig);

        // An order that does not exist is None.
        vm.expectRevert(
            abi.encodeWithSelector(
                IQualityLedger.QualityOrderNotInTransit.selector,
                uint8(1),
                99,
                IOrderBook.OrderState.None
            )
        );
        ledger.submitReceivingScan(1, 99, 7, _ids(lotId), r, sig);
    }

    function test_submitReceivingScan_RevertWhen_ShipmentMismatch() public {
        (uint256 orderId, uint256[] memory lotIds) = _shippedToSupplier(true);
        IQualityLedger.QatReading memory r = _reading(qatSupplier, lotIds[0], COD, 9);
        bytes memory sig = _sign(QAT_SUPPLIER_KEY, r);
        bytes memory mismatch = abi.encodeWithSelector(
            IQualityLedger.QualityShipmentMismatch.selector,
            uint8(1),
            orderId
        );
        vm.expectRevert(mismatch);
        ledger.submitReceivingScan(1, orderId, 8, lotIds, r, sig); // another shipment number
        vm.expectRevert(mismatch);
        ledger.submitReceivingScan(1, orderId, 7, _ids(lotIds[0]), r, sig); // part of the shipment
        vm.expectRevert(mismatch);
        ledger.submitReceivingScan(1, orderId, 7, _ids(lotIds[1], lotIds[0]), r, sig); // another order
    }

    function test_submitReceivingScan_RevertWhen_LotNotInShipment() public {
        (uint256 orderId, uint256[] memory lotIds) = _shippedToSupplier(false);
        uint256 other = _registerLot(harvester1, COD, GRAMS);
        IQualityLedger.QatReading memory r = _reading(qatSupplier, other, COD, 9);
        bytes memory sig = _sign(QAT_SUPPLIER_KEY, r);
        vm.expectRevert(
            abi.encodeWithSelector(IQualityLedger.QualityLotNotInShipment.selector, uint8(1), orderId, other)
        );
        ledger.submitReceivingScan(1, orderId, 7, lotIds, r, sig);
    }

    /// @dev Only the buyer's devices: not the seller's (it scans with submitScan), not another actor's, not a
    /// regulator's (it scans with submitScan, anywhere).
    function test_submitReceivingScan_RevertWhen_NotBuyersDevice() public {
        (uint256 orderId, uint256[] memory lotIds) = _shippedToSupplier(false);
        uint32 buyerId = _idOf(supplier1);
        uint256[3] memory keys = [QAT1_KEY, QAT2_KEY, QAT_REGULATOR_KEY];
        address[3] memory operators = [harvester1, harvester2, regulator];
        for (uint256 i; i < keys.length; ++i) {
            IQualityLedger.QatReading memory r = _reading(vm.addr(keys[i]), lotIds[0], COD, 9);
            bytes memory sig = _sign(keys[i], r);
            vm.expectRevert(
                abi.encodeWithSelector(IQualityLedger.QualityNotBuyer.selector, lotIds[0], _idOf(operators[i]), buyerId)
            );
            ledger.submitReceivingScan(1, orderId, 7, lotIds, r, sig);
        }
    }

    /// @dev A revoked buyer's device holds no role: its receiving scans are refused as any scan of it.
    function test_submitReceivingScan_RevertWhen_BuyerRevoked() public {
        (uint256 orderId, uint256[] memory lotIds) = _shippedToSupplier(false);
        vm.prank(admin);
        registry.revokeParticipant(supplier1);
        IQualityLedger.QatReading memory r = _reading(qatSupplier, lotIds[0], COD, 9);
        bytes memory sig = _sign(QAT_SUPPLIER_KEY, r);
        vm.expectRevert(abi.encodeWithSelector(IQualityLedger.QatDeviceUnauthorized.selector, qatSupplier));
        ledger.submitReceivingScan(1, orderId, 7, lotIds, r, sig);
    }

    function test_submitReceivingScan_RevertWhen_CustomerOrPausedOrUnknownStage() public {
        (uint256 orderId, uint256[] memory lotIds) = _shippedToSupplier(false);
        IQualityLedger.QatReading memory r = _reading(qatSupplier, lotIds[0], COD, 9);
        bytes memory sig = _sign(QAT_SUPPLIER_KEY, r);
        vm.expectRevert(abi.encodeWithSelector(IQualityLedger.QualityNoOrderBook.selector, uint8(6)));
        ledger.submitReceivingScan(6, orderId, 7, lotIds, r, sig);
        vm.expectRevert(abi.encodeWithSelector(IQualityLedger.QualityUnknownStage.selector, uint8(7)));
        ledger.submitReceivingScan(7, orderId, 7, lotIds, r, sig);

        address pauser = makeAddr("pauser");
        _register(pauser, Roles.PAUSER);
        vm.prank(pauser);
        registry.pause(address(ledger));
        vm.expectRevert(abi.encodeWithSelector(IQualityLedger.QualityLedgerPaused.selector, uint8(1)));
        ledger.submitReceivingScan(1, orderId, 7, lotIds, r, sig);
    }

    // ================================================================== fuzz

    /// @dev More time between two scans never lowers the allowed drop, whatever the rule and the sensor coverage.
    function testFuzz_evaluate_MoreElapsedNeverReducesAllowance(
        uint16 decayPerDay,
        int16 minimumTemperature,
        int16 defaultTemperature,
        uint8 confidence,
        uint32 covered,
        uint48 equivalent,
        uint256 shorter,
        uint256 longer
    ) public pure {
        IQualityLedger.FreshnessRule memory rule = _fuzzRule(decayPerDay, minimumTemperature, defaultTemperature);
        shorter = bound(shorter, 0, type(uint40).max);
        longer = bound(longer, shorter, type(uint40).max);
        IQualityLedger.FreshnessVerdict memory a = Freshness.evaluate(
            rule,
            _input(10, confidence, 7, confidence, uint40(shorter), covered, equivalent)
        );
        IQualityLedger.FreshnessVerdict memory b = Freshness.evaluate(
            rule,
            _input(10, confidence, 7, confidence, uint40(longer), covered, equivalent)
        );
        assertGe(b.equivalentSeconds, a.equivalentSeconds, "t0 grows with time");
        assertGe(b.allowedDrop, a.allowedDrop, "allowance grows with time");
        assertTrue(!a.warning || b.warning || b.allowedDrop > a.allowedDrop, "a later scan warns less");
    }

    /// @dev Less confidence in either scan never lowers the allowed drop.
    function testFuzz_evaluate_LowerConfidenceNeverReducesAllowance(
        uint16 decayPerDay,
        int16 minimumTemperature,
        int16 defaultTemperature,
        uint8 otherConfidence,
        uint8 c1,
        uint8 c2,
        uint40 elapsed,
        uint32 covered,
        uint48 equivalent
    ) public pure {
        IQualityLedger.FreshnessRule memory rule = _fuzzRule(decayPerDay, minimumTemperature, defaultTemperature);
        (uint8 lower, uint8 higher) = c1 < c2 ? (c1, c2) : (c2, c1);
        IQualityLedger.FreshnessInput memory input = _input(
            10,
            otherConfidence,
            7,
            lower,
            elapsed,
            covered,
            equivalent
        );
        uint256 unsure = Freshness.evaluate(rule, input).allowedDrop;
        input.confidence = higher;
        assertGe(unsure, Freshness.evaluate(rule, input).allowedDrop, "lower confidence of the new scan");
        (input.previousConfidence, input.confidence) = (lower, otherConfidence);
        unsure = Freshness.evaluate(rule, input).allowedDrop;
        input.previousConfidence = higher;
        uint256 sure = Freshness.evaluate(rule, input).allowedDrop;
        assertGe(unsure, sure, "lower confidence of the previous scan");
        assertGe(sure, rule.margin, "never below the margin");
    }

    /// @dev A grade that did not drop never warns; one that did is judged exactly against the allowance.
    function testFuzz_evaluate_NoDropNeverWarns(
        uint16 decayPerDay,
        int16 minimumTemperature,
        int16 defaultTemperature,
        uint8 previousGrade,
        uint8 grade,
        uint8 confidence,
        uint40 elapsed,
        uint32 covered,
        uint48 equivalent
    ) public pure {
        IQualityLedger.FreshnessRule memory rule = _fuzzRule(decayPerDay, minimumTemperature, defaultTemperature);
        IQualityLedger.FreshnessVerdict memory v = Freshness.evaluate(
            rule,
            _input(previousGrade, confidence, grade, confidence, elapsed, covered, equivalent)
        );
        if (grade >= previousGrade) {
            assertEq(v.drop, 0, "no drop");
            assertFalse(v.warning, "no warning without a drop");
        } else {
            assertEq(v.drop, uint256(previousGrade - grade) * 100, "drop in hundredths");
            assertEq(v.warning, v.drop > v.allowedDrop, "warns exactly above the allowance");
        }
    }

    /// @dev Changing any one signed field changes the digest (the ledger's and the test's own agree on both), so
    /// the device's signature recovers someone else.
    function testFuzz_readingDigest_ChangesWithAnyField(
        uint64 readingId,
        uint256 lotId,
        bytes3 species,
        uint8 speciesConfidence,
        uint8 grade,
        uint8 gradeConfidence,
        uint40 scannedAt,
        uint8 field,
        uint256 delta
    ) public view {
        IQualityLedger.QatReading memory r = IQualityLedger.QatReading({
            readingId: readingId,
            lotId: lotId,
            species: species,
            speciesConfidence: speciesConfidence,
            grade: grade,
            gradeConfidence: gradeConfidence,
            scannedAt: scannedAt,
            device: qat1
        });
        IQualityLedger.QatReading memory t = _copy(r);
        field = uint8(bound(field, 0, 7));
        if (field == 0) t.readingId ^= uint64(_nonZero(delta, 64));
        else if (field == 1) t.lotId ^= _nonZero(delta, 256);
        else if (field == 2) t.species ^= bytes3(uint24(_nonZero(delta, 24)));
        else if (field == 3) t.speciesConfidence ^= uint8(_nonZero(delta, 8));
        else if (field == 4) t.grade ^= uint8(_nonZero(delta, 8));
        else if (field == 5) t.gradeConfidence ^= uint8(_nonZero(delta, 8));
        else if (field == 6) t.scannedAt ^= uint40(_nonZero(delta, 40));
        else t.device = address(uint160(t.device) ^ uint160(_nonZero(delta, 160)));

        bytes32 original = ledger.readingDigest(r);
        bytes32 tampered = ledger.readingDigest(t);
        assertEq(original, _digest(ledger, r), "original digest");
        assertEq(tampered, _digest(ledger, t), "tampered digest");
        assertTrue(original != tampered, "the digest changed");
        (uint8 v, bytes32 rr, bytes32 ss) = vm.sign(QAT1_KEY, original);
        assertTrue(ecrecover(tampered, v, rr, ss) != qat1, "the signature no longer recovers the device");
    }

    /// @dev Whatever reading is claimed with the proof of a subtree, the subtree's root is not a leaf.
    function testFuzz_verifyReading_RejectsInnerNode(
        address sensor,
        uint40 readAt,
        int16 temperature,
        uint8 humidity
    ) public {
        uint256 lotId = _registerLot(harvester1, COD, GRAMS);
        IQualityLedger.SensorReading[] memory readings = _sensorReadings(4);
        bytes32 left = _hashPair(_leaf(readings[0]), _leaf(readings[1]));
        bytes32 right = _hashPair(_leaf(readings[2]), _leaf(readings[3]));
        bytes32 root = _hashPair(left, right);
        _anchor(gateway1, 1, _ids(lotId), root, _summary(100, 200, 300));
        bytes32[] memory shortProof = new bytes32[](1);
        shortProof[0] = right;
        IQualityLedger.SensorReading memory claimed = IQualityLedger.SensorReading(
            sensor,
            readAt,
            temperature,
            humidity
        );
        assertFalse(ledger.verifyReading(gateway1, root, claimed, shortProof), "not a leaf");
    }

    // ================================================================== helpers: readings and signatures

    /// @dev A reading by `device` of `lotId`, scanned now, with a fresh reading id.
    function _reading(
        address device,
        uint256 lotId,
        bytes3 species,
        uint8 grade
    ) private returns (IQualityLedger.QatReading memory) {
        return
            IQualityLedger.QatReading({
                readingId: _readingNo++,
                lotId: lotId,
                species: species,
                speciesConfidence: SPECIES_CONFIDENCE,
                grade: grade,
                gradeConfidence: FULL_CONFIDENCE,
                scannedAt: uint40(_now()),
                device: device
            });
    }

    /// @dev A lot at the Harvester with a reading of it by `qat1`, signed.
    function _signedReading() private returns (IQualityLedger.QatReading memory r, bytes memory sig) {
        uint256 lotId = _registerLot(harvester1, COD, GRAMS);
        r = _reading(qat1, lotId, COD, 9);
        sig = _sign(QAT1_KEY, r);
    }

    /// @dev Scans `lotId` at `stage` now with the device of `key`, and returns the reading.
    function _scan(
        uint256 key,
        uint8 stage,
        uint256 lotId,
        bytes3 species,
        uint8 grade
    ) private returns (IQualityLedger.QatReading memory r) {
        r = _reading(vm.addr(key), lotId, species, grade);
        ledger.submitScan(stage, r, _sign(key, r));
    }

    /// @dev Whom `sig` recovers to for `r` under `on`'s domain (what the ledger reports as the signer).
    function _recovered(
        QualityLedger on,
        IQualityLedger.QatReading memory r,
        bytes memory sig
    ) private view returns (address) {
        bytes32 rr;
        bytes32 ss;
        uint8 v;
        assembly ("memory-safe") {
            rr := mload(add(sig, 0x20))
            ss := mload(add(sig, 0x40))
            v := byte(0, mload(add(sig, 0x60)))
        }
        return ecrecover(on.readingDigest(r), v, rr, ss);
    }

    /// @dev `tampered` (a copy of `original` with one field changed) is refused as signed by someone else;
    /// `original` with the same signature then goes through.
    function _assertTamperedRejected(
        IQualityLedger.QatReading memory original,
        IQualityLedger.QatReading memory tampered,
        bytes memory sig
    ) private {
        assertTrue(keccak256(abi.encode(original)) != keccak256(abi.encode(tampered)), "one field differs");
        address signer = _recovered(ledger, tampered, sig);
        assertTrue(signer != original.device && signer != tampered.device, "recovers someone else");
        vm.expectRevert(
            abi.encodeWithSelector(IQualityLedger.QatWrongSigner.selector, tampered.readingId, tampered.device, signer)
        );
        ledger.submitScan(1, tampered, sig);
        assertFalse(ledger.isAccepted(tampered.device, tampered.readingId), "tampered not accepted");

        ledger.submitScan(1, original, sig);
        assertTrue(ledger.isAccepted(original.device, original.readingId), "original accepted");
    }

    function _copy(IQualityLedger.QatReading memory r) private pure returns (IQualityLedger.QatReading memory) {
        return abi.decode(abi.encode(r), (IQualityLedger.QatReading));
    }

    /// @dev `x` cut to its low `bits` bits, or 1 when those are all zero.
    function _nonZero(uint256 x, uint256 bits) private pure returns (uint256 y) {
        y = bits == 256 ? x : x & ((uint256(1) << bits) - 1);
        if (y == 0) y = 1;
    }

    // ================================================================== helpers: lots and sensor batches

    function _registerFrozenLot() private returns (uint256 lotId) {
        IHarvester.Catch memory c = _catch(COD, GRAMS);
        c.frozen = true;
        vm.prank(harvester1);
        lotId = harvester.registerFish(c);
    }

    /// @dev A summary of 12 readings over the last hour.
    function _summary(
        int16 minimum,
        int16 mean,
        int16 maximum
    ) private view returns (IQualityLedger.SensorSummary memory) {
        return
            IQualityLedger.SensorSummary({
                from: uint40(_now() - 1 hours),
                to: uint40(_now()),
                count: 12,
                minimum: minimum,
                maximum: maximum,
                mean: mean
            });
    }

    function _anchor(
        address gateway,
        uint8 stage,
        uint256[] memory lotIds,
        bytes32 root,
        IQualityLedger.SensorSummary memory s
    ) private {
        vm.prank(gateway);
        ledger.anchorReadings(stage, lotIds, root, s);
    }

    /// @dev `n` readings of two sensors, ten minutes apart, ending now.
    function _sensorReadings(uint256 n) private view returns (IQualityLedger.SensorReading[] memory readings) {
        readings = new IQualityLedger.SensorReading[](n);
        for (uint256 i; i < n; ++i) {
            readings[i] = IQualityLedger.SensorReading({
                sensor: address(uint160(0x5E5501 + (i % 2))),
                readAt: uint40(_now() - (n - i) * 10 minutes),
                temperature: int16(int256(150 + 10 * i)),
                humidity: uint8(80 + i)
            });
        }
    }

    /// @dev The standard tree's leaf: keccak256(keccak256(abi.encode(values))).
    function _leaf(IQualityLedger.SensorReading memory r) private pure returns (bytes32) {
        return keccak256(bytes.concat(keccak256(abi.encode(r.sensor, r.readAt, r.temperature, r.humidity))));
    }

    /// @dev An inner node: the hash of the sorted pair, as `MerkleProof` computes it.
    function _hashPair(bytes32 a, bytes32 b) private pure returns (bytes32) {
        return a < b ? keccak256(abi.encode(a, b)) : keccak256(abi.encode(b, a));
    }

    /// @dev `@openzeppelin/merkle-tree`'s layout: the 2n − 1 nodes in an array, root first, the leaves (sorted)
    /// filling the end in reverse; node i's children are 2i + 1 and 2i + 2.
    function _standardTree(bytes32[] memory leaves) private pure returns (bytes32[] memory tree) {
        uint256 n = leaves.length;
        bytes32[] memory sorted = new bytes32[](n);
        for (uint256 i; i < n; ++i) {
            bytes32 leaf = leaves[i];
            uint256 j = i;
            for (; j > 0 && sorted[j - 1] > leaf; --j) sorted[j] = sorted[j - 1];
            sorted[j] = leaf;
        }
        tree = new bytes32[](2 * n - 1);
        for (uint256 i; i < n; ++i) tree[tree.length - 1 - i] = sorted[i];
        for (uint256 i = n - 1; i > 0; --i) tree[i - 1] = _hashPair(tree[2 * i - 1], tree[2 * i]);
    }

    /// @dev The proof of `leaf` in `tree`: its siblings on the way up to the root.
    function _proof(bytes32[] memory tree, bytes32 leaf) private pure returns (bytes32[] memory proof) {
        uint256 i = tree.length - 1;
        while (tree[i] != leaf) --i;
        uint256 depth;
        for (uint256 j = i; j > 0; j = (j - 1) / 2) ++depth;
        proof = new bytes32[](depth);
        for (uint256 k; i > 0; ++k) {
            proof[k] = tree[i % 2 == 1 ? i + 1 : i - 1];
            i = (i - 1) / 2;
        }
    }

    // ================================================================== helpers: freshness

    /// @dev RRS(t) of the default rule (Tmin = −10 °C) in parts per million, computed here.
    function _rrs(int256 temperature) private pure returns (uint256) {
        uint256 above = uint256(temperature + 1000);
        return (above * above * 1e6) / (1000 * 1000);
    }

    /// @dev The default rule's allowed drop for `t0` seconds at 0 °C and confidence `c`, computed here.
    function _allowance(uint256 t0, uint256 c) private pure returns (uint256) {
        IQualityLedger.FreshnessRule memory rule = _defaultRule();
        return (uint256(rule.decayPerDay) * t0) / 1 days + rule.margin + (uint256(rule.uncertainty) * (100 - c)) / 100;
    }

    function _input(
        uint8 previousGrade,
        uint8 previousConfidence,
        uint8 grade,
        uint8 confidence,
        uint40 elapsed,
        uint32 covered,
        uint48 equivalent
    ) private pure returns (IQualityLedger.FreshnessInput memory) {
        return
            IQualityLedger.FreshnessInput({
                previousGrade: previousGrade,
                previousConfidence: previousConfidence,
                grade: grade,
                confidence: confidence,
                elapsed: elapsed,
                coveredSeconds: covered,
                equivalentSeconds: equivalent
            });
    }

    /// @dev A rule `setFreshnessRule` would accept (Tmin < 0, default above Tmin), with the default margins.
    function _fuzzRule(
        uint16 decayPerDay,
        int16 minimumTemperature,
        int16 defaultTemperature
    ) private pure returns (IQualityLedger.FreshnessRule memory rule) {
        rule = _defaultRule();
        rule.decayPerDay = decayPerDay;
        rule.minimumTemperature = int16(bound(int256(minimumTemperature), type(int16).min, -1));
        rule.defaultTemperature = int16(
            bound(int256(defaultTemperature), int256(rule.minimumTemperature) + 1, type(int16).max)
        );
    }

    /// @dev How many of `logs` are `topic0` events.
    function _count(Vm.Log[] memory logs, bytes32 topic0) private pure returns (uint256 n) {
        for (uint256 i; i < logs.length; ++i) {
            if (logs[i].topics.length != 0 && logs[i].topics[0] == topic0) ++n;
        }
    }
}
