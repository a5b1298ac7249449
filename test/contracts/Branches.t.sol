// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ICustomer} from "../../contracts/interfaces/ICustomer.sol";
import {IQualityLedger} from "../../contracts/interfaces/IQualityLedger.sol";
import {IStage} from "../../contracts/interfaces/IStage.sol";
import {LotFlags} from "../../contracts/libraries/LotFlags.sol";
import {Roles} from "../../contracts/libraries/Roles.sol";
import {FishTraceTest} from "./utils/FishTraceTest.sol";

/// @notice The branches of `contracts/` no other suite took both ways (issue 21, item 5), each taken both ways here.
/// @dev Found by reading the per-test statement hits `npm test` leaves in `coverage/data` against the
/// instrumentation's statement map: an `if` whose body ran in every test that reached it, then checked by hand
/// (README, "Coverage"); and one ternary found by reading. Every other `if` of `contracts/` is taken both ways by the
/// other suites.
contract BranchesTest is FishTraceTest {
    uint40 private constant GRAMS = 5_000;
    uint256 private constant QAT_KEY = uint256(keccak256("branches qat"));
    /// @dev Where `QualityLedger` keeps a lot's scan count in its quality word (`_SCANS_SHIFT`).
    uint256 private constant SCANS_SHIFT = 200;

    /// @dev `Stage.queryQAT` reads the quality ledger only once one is set: before, it answers the lot's flags and an
    /// empty inspection without calling anything. (With a ledger: `QualityLedger.t.sol`, a test of its own so that
    /// the coverage data shows this side.)
    function test_queryQAT_withoutLedger_answersFlagsOnly() public {
        _deploy(false);
        _register(harvester1, _actorRole(1));
        _listSpecies(COD, "Atlantic cod");
        uint256 lotId = _registerLot(harvester1, COD, GRAMS);
        IStage.Inspection memory none;

        assertEq(harvester.qualityLedger(), address(0), "no ledger");
        (IStage.Inspection memory inspection, uint8 flags) = harvester.queryQAT(lotId);
        assertEq(abi.encode(inspection), abi.encode(none), "no inspection without a ledger");
        assertEq(flags, harvester.getLot(lotId).flags, "the lot's flags");
    }

    /// @dev `Stage.flagLot` refuses the zero address even while no ledger is set (the ledger slot is zero then, so
    /// `msg.sender == _ledger` alone would let it through); with a ledger set, the zero address is a stranger.
    function test_flagLot_RevertWhen_CallerZeroAndNoLedger() public {
        _deploy(false);
        vm.expectRevert(abi.encodeWithSelector(IStage.StageCallerNotLedger.selector, address(0)));
        vm.prank(address(0));
        supplier.flagLot(1, LotFlags.EXCURSION);

        vm.prank(admin);
        supplier.setQualityLedger(address(ledger));
        vm.expectRevert(abi.encodeWithSelector(IStage.StageCallerNotLedger.selector, address(0)));
        vm.prank(address(0));
        supplier.flagLot(1, LotFlags.EXCURSION);
    }

    /// @dev A lot the Customer never held is one hop (status `None`) and the walk stops there instead of asking the
    /// Retailer; a page that holds the whole walk says nothing follows.
    function test_verifyProvenance_unknownLotEndsAtItsStage() public {
        _deployWithParticipants();
        ICustomer.Hop[] memory hops = customer.verifyProvenance(999);
        assertEq(hops.length, 1, "one hop");
        assertEq(hops[0].stage, 6, "at the Customer");
        assertEq(uint256(hops[0].status), uint256(IStage.LotStatus.None), "unknown there");
        uint256 next;
        (hops, next) = customer.verifyProvenancePage(999, 0, 1);
        assertEq(hops.length, 1, "the one hop fills the page");
        assertEq(next, 0, "and nothing follows");
    }

    /// @dev A pack that came down the chain is walked back to its catch; a page shorter than the walk says where the
    /// next page starts.
    function test_verifyProvenancePage_namesTheNextCursor() public {
        _deployWithParticipants();
        uint256 pack = _lotAt(6, COD, GRAMS);
        ICustomer.Hop[] memory hops = customer.verifyProvenance(pack);
        assertEq(hops.length, 6, "one hop a stage");
        assertEq(hops[5].stage, 1, "ends at the catch");
        uint256 next;
        (hops, next) = customer.verifyProvenancePage(pack, 0, 1);
        assertEq(hops.length, 1, "a page of one");
        assertEq(next, 1, "the walk goes on");
    }

    /// @dev A lot's scan count stops at 65,535 instead of wrapping to 0 (which would make the next scan look like a
    /// first one, with no species or freshness comparison). The count is set near the top in storage: 65,534 scans
    /// are too many to sign in a test.
    function test_submitScan_scanCountSaturatesAtMax() public {
        _deployWithParticipants();
        address device = vm.addr(QAT_KEY);
        vm.prank(admin);
        registry.registerDevice(device, Roles.QAT_DEVICE, harvester1);
        uint256 lotId = _registerLot(harvester1, COD, GRAMS);
        _scan(device, lotId, 1);
        assertEq(ledger.qualityOf(lotId).scans, 1, "one scan");

        bytes32 slot = _qualitySlot(lotId);
        uint256 word = uint256(vm.load(address(ledger), slot));
        word = (word & ~(uint256(type(uint16).max) << SCANS_SHIFT)) | (uint256(type(uint16).max - 1) << SCANS_SHIFT);
        vm.store(address(ledger), slot, bytes32(word));
        assertEq(ledger.qualityOf(lotId).scans, type(uint16).max - 1, "65,534 scans");

        _scan(device, lotId, 2);
        assertEq(ledger.qualityOf(lotId).scans, type(uint16).max, "counted up to 65,535");
        _scan(device, lotId, 3);
        assertEq(ledger.qualityOf(lotId).scans, type(uint16).max, "and stays there");
    }

    /// @dev One grade-10 scan of `lotId` by `device` (`QAT_KEY`), an hour after the previous block time.
    function _scan(address device, uint256 lotId, uint64 readingId) private {
        vm.warp(_now() + 1 hours);
        IQualityLedger.QatReading memory r = IQualityLedger.QatReading({
            readingId: readingId,
            lotId: lotId,
            species: COD,
            speciesConfidence: 100,
            grade: 10,
            gradeConfidence: 100,
            scannedAt: uint40(_now()),
            device: device
        });
        ledger.submitScan(1, r, _sign(QAT_KEY, r));
    }

    /// @dev The slot of `lotId`'s quality word: the mapping slot whose entry holds the one scan made so far.
    function _qualitySlot(uint256 lotId) private view returns (bytes32) {
        for (uint256 p; p < 64; ++p) {
            bytes32 slot = keccak256(abi.encode(lotId, p));
            uint256 word = uint256(vm.load(address(ledger), slot));
            if (uint16(word >> SCANS_SHIFT) == 1 && uint40(word) == _now()) return slot;
        }
        revert("quality word not found");
    }
}
