// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {OrderBook} from "../base/OrderBook.sol";
import {Stage} from "../base/Stage.sol";
import {IManufacturer} from "../interfaces/IManufacturer.sol";
import {IRegistry} from "../interfaces/IRegistry.sol";
import {LotCodec, LotWord} from "../libraries/LotCodec.sol";
import {LotFlags} from "../libraries/LotFlags.sol";
import {Roles} from "../libraries/Roles.sol";

/// @title Manufacturer
/// @notice Smart contract 3: raw lots from Suppliers are processed into product lots (GS1 GTIN + lot number) with
/// their lineage on chain, and sold to Distributors.
contract Manufacturer is IManufacturer, OrderBook {
    /// @dev Alarm flags a product inherits from any of its inputs.
    uint8 private constant _INHERITED =
        LotFlags.FARMED | LotFlags.EXCURSION | LotFlags.SPECIES_MISMATCH | LotFlags.FRESHNESS_WARNING;

    mapping(uint256 lotId => uint256[] parentLotIds) private _parents;
    /// @dev Owner of each registered GS1 company prefix, keyed by `digits << 64 | prefix`.
    mapping(uint256 key => uint32 manufacturerId) private _prefixOwners;
    uint256 private _processCount;
    /// @dev Bit `d` set: some company prefix of `d` digits is registered (so GTINs are looked up at that length).
    uint16 private _prefixLengths;

    /// @notice Deploys the Manufacturer stage (stage 3) of `registry_`.
    /// @param registry_ the FishTrace registry
    /// @param supplier the Supplier contract raw lots come from
    constructor(IRegistry registry_, address supplier) Stage(registry_, 3, supplier) {}

    /// @inheritdoc IManufacturer
    function processLots(
        Input[] calldata inputs,
        Output[] calldata outputs
    ) external returns (uint256 processId, uint256[] memory productLotIds) {
        _requireNotPaused();
        uint32 manufacturerId = _requireRole(_ACTOR_BIT).id;
        if (inputs.length == 0 || outputs.length == 0) revert ProcessEmpty(inputs.length, outputs.length);
        processId = ++_processCount;

        (
            uint256[] memory inputLotIds,
            uint40[] memory consumed,
            uint256 consumedGrams,
            bytes3 species,
            uint8 flags
        ) = _consume(inputs, manufacturerId);

        productLotIds = new uint256[](outputs.length);
        uint256 producedGrams;
        for (uint256 i; i < outputs.length; ++i) {
            Output calldata out = outputs[i];
            if (!_validGtin(out.gtin)) revert ProcessInvalidGtin(out.gtin);
            uint32 owner = _gtinOwner(out.gtin);
            if (owner != 0 && owner != manufacturerId) revert ProcessGtinNotOwned(out.gtin, owner);
            if (out.lotNumber == bytes20(0) || out.weightGrams == 0) {
                revert ProcessInvalidOutput(out.gtin, out.lotNumber, out.weightGrams);
            }
            uint256 lotId = productLotId(out.gtin, out.lotNumber);
            if (!_lotWord(lotId).isEmpty()) revert LotAlreadyExists(lotId);
            producedGrams += out.weightGrams;
            _createLot(
                lotId,
                LotCodec.created(
                    manufacturerId,
                    out.weightGrams,
                    species,
                    flags | (out.frozen ? LotFlags.FROZEN : 0),
                    0,
                    0,
                    block.timestamp
                )
            );
            _parents[lotId] = inputLotIds;
            productLotIds[i] = lotId;
            emit ProductLotCreated(lotId, out.gtin, out.lotNumber, species, out.weightGrams, processId, out.frozen);
        }
        if (producedGrams > consumedGrams) revert ProcessMassBalance(consumedGrams, producedGrams);
        emit LotsProcessed(
            processId,
            manufacturerId,
            inputLotIds,
            consumed,
            productLotIds,
            producedGrams,
            uint16((producedGrams * 10_000) / consumedGrams)
        );
    }

    /// @inheritdoc IManufacturer
    function productLotId(uint64 gtin, bytes20 lotNumber) public pure returns (uint256) {
        return uint256(keccak256(abi.encode(gtin, lotNumber)));
    }

    /// @inheritdoc IManufacturer
    function processCount() external view returns (uint256) {
        return _processCount;
    }

    /// @inheritdoc IManufacturer
    function setCompanyPrefix(uint64 prefix, uint8 digits, address owner) external {
        _requireRole(Roles.ADMIN_BIT);
        if (digits < 6 || digits > 12 || prefix >= _pow10(digits)) revert ManufacturerInvalidPrefix(prefix, digits);
        uint32 ownerId;
        if (owner != address(0)) {
            IRegistry.Authorization memory auth = _authorization(owner);
            if (auth.roles & _ACTOR_BIT == 0) revert StageUnauthorized(owner, _ACTOR_BIT);
            ownerId = auth.id;
            _prefixLengths |= uint16(1) << digits;
        }
        _prefixOwners[(uint256(digits) << 64) | prefix] = ownerId;
        emit CompanyPrefixSet(prefix, digits, ownerId);
    }

    /// @inheritdoc IManufacturer
    function gtinOwnerOf(uint64 gtin) external view returns (uint32) {
        return _gtinOwner(gtin);
    }

    /// @inheritdoc IManufacturer
    function recallProducts(uint256 lotId, uint256[] calldata productLotIds, bytes32 reason) external {
        uint32 regulatorId = _requireRole(Roles.REGULATOR_BIT).id;
        LotWord word = _lotWord(lotId);
        if (word.status() == LotStatus.None) revert LotNotFound(lotId);
        if (word.flags() & LotFlags.RECALLED == 0) revert ManufacturerLotNotRecalled(lotId);
        for (uint256 i; i < productLotIds.length; ++i) {
            uint256[] storage parents = _parents[productLotIds[i]];
            uint256 n = parents.length;
            uint256 j;
            while (j < n && parents[j] != lotId) ++j;
            if (j == n) revert ManufacturerNotAProduct(lotId, productLotIds[i]);
        }
        _recall(productLotIds, regulatorId, reason);
    }

    /// @notice The lots `lotId` was made from (empty for a lot received from the Supplier).
    /// @param lotId the lot
    function parentsOf(uint256 lotId) external view override returns (uint256[] memory) {
        return _parents[lotId];
    }

    /// @dev Takes the inputs out of stock: their ids, grams taken, total grams, species and inherited flags.
    function _consume(
        Input[] calldata inputs,
        uint32 manufacturerId
    ) private returns (uint256[] memory lotIds, uint40[] memory consumed, uint256 total, bytes3 species, uint8 flags) {
        lotIds = new uint256[](inputs.length);
        consumed = new uint40[](inputs.length);
        for (uint256 i; i < inputs.length; ++i) {
            uint256 lotId = inputs[i].lotId;
            for (uint256 j; j < i; ++j) {
                if (lotIds[j] == lotId) revert ProcessDuplicateInput(lotId);
            }
            LotWord word = _lotWord(lotId);
            _requireCustody(lotId, word, manufacturerId);
            _requireStatus(lotId, word.status(), LotStatus.Created);
            _requireNotRecalled(lotId, word);
            if (i == 0) species = word.species();
            else if (word.species() != species) revert ProcessMixedSpecies(lotId, species, word.species());

            uint40 available = word.weightGrams();
            uint40 grams = inputs[i].grams == 0 ? available : inputs[i].grams;
            if (grams > available) revert ProcessOverdrawn(lotId, grams, available);
            if (grams == available) {
                _removeLot(lotId, word);
                emit FishRemoved(lotId, manufacturerId, RemovalReason.Consumed);
            } else {
                _drawFromLot(lotId, word, grams);
            }
            flags |= word.flags() & _INHERITED;
            lotIds[i] = lotId;
            consumed[i] = grams;
            total += grams;
        }
    }

    /// @dev The manufacturer id owning the registered company prefix `gtin` carries (0: none). A GTIN-14 is an
    /// indicator digit, the company prefix and item reference (12 digits together), and a check digit.
    function _gtinOwner(uint64 gtin) private view returns (uint32 owner) {
        uint16 lengths = _prefixLengths;
        if (lengths == 0) return 0;
        for (uint8 digits = 6; digits <= 12; ++digits) {
            if (lengths & (uint16(1) << digits) == 0) continue;
            uint64 prefix = (gtin / _pow10(13 - digits)) % _pow10(digits);
            owner = _prefixOwners[(uint256(digits) << 64) | prefix];
            if (owner != 0) return owner;
        }
    }

    /// @dev 10 to the power `digits`; callers pass at most 13, so the EXP opcode cannot overflow a uint64 (unchecked:
    /// the checked power is a long helper, and the Manufacturer is close to the contract size limit).
    function _pow10(uint8 digits) private pure returns (uint64) {
        unchecked {
            return uint64(10) ** digits;
        }
    }

    /// @dev A GTIN-14 (shorter GTINs padded with zeros) whose last digit is the GS1 mod-10 check digit.
    function _validGtin(uint64 gtin) private pure returns (bool) {
        if (gtin == 0 || gtin >= 1e14) return false;
        uint64 check = gtin % 10;
        uint64 rest = gtin / 10;
        uint256 sum;
        for (uint256 i; rest != 0; ++i) {
            sum += (rest % 10) * (i % 2 == 0 ? 3 : 1);
            rest /= 10;
        }
        return (10 - (sum % 10)) % 10 == check;
    }
}
